using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Zuul.LiveLog.Streams;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Streams;

/// <summary>
/// Repeated opens of one build: the hop used last time is connected to while the grain is asked, and that
/// connection is used only when the answer still names it; otherwise it is closed and the answer's hop is used.
/// </summary>
public sealed class BuildStreamOpenerTests : IAsyncLifetime
{
    private readonly ClusterHarness _cluster = new();
    private BuildStreamOpener _opener = null!;

    public async Task InitializeAsync()
    {
        var silo = await _cluster.StartSiloAsync();
        _opener = silo.App.Services.GetRequiredService<BuildStreamOpener>();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task RepeatedOpenOfAnUnchangedBuildMakesOneConnectionEach()
    {
        await using var streamer = new LineStreamer("first");
        var id = await RegisterAsync(streamer.Port);
        for (var i = 0; i < 3; i++)
        {
            await using var opened = new OpenedStreamScope(await _opener.OpenAsync(id, CancellationToken.None));
            Assert.True(opened.Value.Ok, opened.Value.Message);
            Assert.Equal("first", await ReadLineAsync(opened.Value.Stream!));
        }

        Assert.Equal(3, streamer.Accepted);
    }

    [Fact]
    public async Task AMovedBuildIsStreamedFromItsNewHopAndTheEarlyConnectionIsClosed()
    {
        await using var before = new LineStreamer("before");
        await using var after = new LineStreamer("after");
        var id = await RegisterAsync(before.Port);
        await using (var first = new OpenedStreamScope(await _opener.OpenAsync(id, CancellationToken.None)))
        {
            Assert.Equal("before", await ReadLineAsync(first.Value.Stream!));
        }

        await RegisterAsync(after.Port, id);
        await using var second = new OpenedStreamScope(await _opener.OpenAsync(id, CancellationToken.None));
        Assert.True(second.Value.Ok, second.Value.Message);
        Assert.Equal($"127.0.0.1:{after.Port}", second.Value.Target);
        Assert.Equal("after", await ReadLineAsync(second.Value.Stream!));

        // The early connection to the old hop asked for the build and was then closed without being read.
        var closed = await Eventually.WithinAsync(before.Closed.Reader.ReadAsync().AsTask(), "the first streamer sees its first connection end");
        closed = await Eventually.WithinAsync(before.Closed.Reader.ReadAsync().AsTask(), "the unused early connection to the old hop is closed");
        Assert.Equal(id, closed);
        Assert.Equal(2, before.Accepted);
    }

    private async Task<string> RegisterAsync(int port, string? id = null)
    {
        id ??= Guid.NewGuid().ToString("N");
        await _cluster.Grains.GetGrain<IBuildGrain>(id).StartAsync(new BuildStart(null, "127.0.0.1", port, "job", DateTimeOffset.UtcNow));
        return id;
    }

    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var buffer = new byte[256];
        var length = 0;
        while (length == 0 || buffer[length - 1] != (byte)'\n')
        {
            var n = await Eventually.WithinAsync(stream.ReadAsync(buffer.AsMemory(length)).AsTask(), "a line from the streamer");
            Assert.True(n > 0, "the stream ended before a whole line");
            length += n;
        }

        return Encoding.ASCII.GetString(buffer, 0, length - 1);
    }

    /// <summary>A finger server on loopback: reads the request line, answers one line, waits for the client to close.</summary>
    private sealed class LineStreamer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _accepted;

        public LineStreamer(string line)
        {
            _listener.Start();
            _accepting = AcceptAsync(line);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => Volatile.Read(ref _accepted);

        /// <summary>The build id of each connection, once its client has closed it.</summary>
        public Channel<string> Closed { get; } = Channel.CreateUnbounded<string>();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        private async Task AcceptAsync(string line)
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                _ = ServeAsync(client, line);
            }
        }

        private async Task ServeAsync(TcpClient client, string line)
        {
            using (client)
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var id = await reader.ReadLineAsync(_stop.Token) ?? string.Empty;
                await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"), _stop.Token);
                var buffer = new byte[64];
                try
                {
                    while (await stream.ReadAsync(buffer, _stop.Token) > 0)
                    {
                    }
                }
                catch (IOException)
                {
                }

                Closed.Writer.TryWrite(id);
            }
        }
    }
}
