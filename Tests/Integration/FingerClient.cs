using System.Net.Sockets;
using System.Text;

namespace Orleans.Zuul.Tests.Integration;

/// <summary>A finger client as `finger` or `nc` would be: send one line, read until the server closes.</summary>
internal static class FingerClient
{
    public static async Task<byte[]> FetchAsync(int port, string requestLine, TimeSpan timeout, string host = "127.0.0.1")
    {
        using var cts = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(requestLine), cts.Token);
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms, cts.Token);
        return ms.ToArray();
    }

    public static async Task<string> FetchTextAsync(int port, string requestLine, TimeSpan timeout) =>
        Encoding.UTF8.GetString(await FetchAsync(port, requestLine, timeout));
}
