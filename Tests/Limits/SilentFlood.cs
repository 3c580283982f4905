using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Zuul.LiveLog.Tests.Limits;

/// <summary>
/// Many TCP connections that never send a byte, each reading whatever the server says until it closes; records when
/// each began connecting and when it was closed, and what it was told.
/// </summary>
internal sealed class SilentFlood : IDisposable
{
    private readonly List<Silent> _connections = [];

    public int Count => _connections.Count;

    /// <summary>Opens <paramref name="count"/> connections to 127.0.0.1:<paramref name="port"/>, <paramref name="parallel"/> at a time.</summary>
    public static async Task<SilentFlood> OpenAsync(int port, int count, int parallel = 100)
    {
        var flood = new SilentFlood();
        using var gate = new SemaphoreSlim(parallel);
        var opening = Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                // Taken before connecting: the server's clock for this connection cannot start earlier, while the
                // continuation after ConnectAsync may run late on a busy thread pool.
                var connecting = Stopwatch.GetTimestamp();
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                var silent = new Silent(socket, connecting);
                silent.Start();
                return silent;
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        flood._connections.AddRange(await Task.WhenAll(opening));
        return flood;
    }

    /// <summary>Waits until the server closed every connection; returns what each was told and how long after connecting.</summary>
    public async Task<IReadOnlyList<(string Text, TimeSpan Elapsed)>> ClosedAsync(TimeSpan timeout) =>
        await Task.WhenAll(_connections.Select(c => c.Closed.WaitAsync(timeout)));

    public void Dispose()
    {
        foreach (var c in _connections)
        {
            c.Socket.Dispose();
        }
    }

    private sealed class Silent(Socket socket, long connectedAt)
    {
        public Socket Socket => socket;

        public Task<(string Text, TimeSpan Elapsed)> Closed { get; private set; } = Task.FromResult((string.Empty, TimeSpan.Zero));

        public void Start() => Closed = ReadToEndAsync();

        private async Task<(string, TimeSpan)> ReadToEndAsync()
        {
            var text = new StringBuilder();
            var buffer = new byte[256];
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(buffer)) > 0)
                {
                    text.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
            }
            catch (SocketException ex)
            {
                text.Append(" [").Append(ex.SocketErrorCode).Append(']');
            }

            var elapsed = Stopwatch.GetElapsedTime(connectedAt);
            socket.Dispose();
            return (text.ToString(), elapsed);
        }
    }
}
