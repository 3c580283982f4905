using System.Net.Sockets;
using System.Text;

namespace Zuul.LiveLog.Tests.Integration;

/// <summary>A finger client as `finger` or `nc` would be: send one line, read until the server closes.</summary>
internal static class FingerClient
{
    /// <param name="onReceived">Called with the count of each read, so a test can wait until bytes have arrived.</param>
    public static async Task<byte[]> FetchAsync(int port, string requestLine, TimeSpan timeout, string host = "127.0.0.1", Action<int>? onReceived = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(requestLine), cts.Token);
        using var ms = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0)
        {
            ms.Write(buffer, 0, n);
            onReceived?.Invoke(n);
        }

        return ms.ToArray();
    }

    public static async Task<string> FetchTextAsync(int port, string requestLine, TimeSpan timeout) =>
        Encoding.UTF8.GetString(await FetchAsync(port, requestLine, timeout));
}
