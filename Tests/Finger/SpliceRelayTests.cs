using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Finger.Splice;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Finger;

/// <summary>The splice(2) relay between real loopback sockets: exact bytes, slow clients, closed ends, pipes returned.</summary>
public sealed class SpliceRelayTests : IAsyncDisposable
{
    private readonly List<Socket> _sockets = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        await Task.CompletedTask;
    }

    [Fact]
    public async Task RelaysEveryByteInOrder()
    {
        var pool = new KernelPipePool(1 << 20, 2, 8);
        var (relay, upstreamPeer, clientPeer) = await StartAsync(pool);
        var data = RandomNumberGenerator.GetBytes(24 << 20);
        var reading = ReadToEndAsync(clientPeer);
        await upstreamPeer.SendAsync(data);
        upstreamPeer.Shutdown(SocketShutdown.Send);

        var result = await Eventually.WithinAsync(relay, "the relay ends after the upstream's end");
        var received = await Eventually.WithinAsync(reading, "the client reads to the end");
        Assert.Equal(RelayOutcome.UpstreamCompleted, result.Outcome);
        Assert.Equal(data.Length, result.BytesToClient);
        Assert.True(data.AsSpan().SequenceEqual(received), "the client got other bytes than the upstream sent");
        Assert.Equal(0, pool.Lent);
    }

    [Fact]
    public async Task SlowClientGetsEverythingOnceItReads()
    {
        var pool = new KernelPipePool(1 << 20, 2, 8);
        var (relay, upstreamPeer, clientPeer) = await StartAsync(pool, clientReceiveBuffer: 4096);
        var data = RandomNumberGenerator.GetBytes(16 << 20);

        // The client reads nothing until the upstream has sent everything: the relay meets a full client socket.
        var sending = Task.Run(async () =>
        {
            await upstreamPeer.SendAsync(data);
            upstreamPeer.Shutdown(SocketShutdown.Send);
        });
        await Eventually.UntilAsync(() => pool.Lent == 1, "the relay is stuck on a full client socket with a pipe lent");
        var received = await Eventually.WithinAsync(ReadToEndAsync(clientPeer), "the client reads to the end");
        await sending;
        var result = await Eventually.WithinAsync(relay, "the relay ends");
        Assert.Equal(RelayOutcome.UpstreamCompleted, result.Outcome);
        Assert.True(data.AsSpan().SequenceEqual(received), "the slow client got other bytes than the upstream sent");
        Assert.Equal(0, pool.Lent);
    }

    [Fact]
    public async Task IdleFollowerHoldsNoPipeAndGetsAppendedBytes()
    {
        var pool = new KernelPipePool(1 << 20, 2, 8);
        var (relay, upstreamPeer, clientPeer) = await StartAsync(pool);
        var buffer = new byte[64];
        for (var i = 0; i < 3; i++)
        {
            var line = System.Text.Encoding.ASCII.GetBytes($"line {i}\n");
            await upstreamPeer.SendAsync(line);
            var n = await Eventually.WithinAsync(clientPeer.ReceiveAsync(buffer), $"appended line {i} reaches the client");
            Assert.Equal(line, buffer[..n]);
            await Eventually.UntilAsync(() => pool.Lent == 0, "the pipe goes back to the pool while the stream is idle");
        }

        upstreamPeer.Shutdown(SocketShutdown.Send);
        Assert.Equal(RelayOutcome.UpstreamCompleted, (await Eventually.WithinAsync(relay, "the relay ends")).Outcome);
    }

    [Fact]
    public async Task WithoutPipesToLendTheRelayCopies()
    {
        var pool = new KernelPipePool(1 << 20, 0, 0);
        var (relay, upstreamPeer, clientPeer) = await StartAsync(pool);
        var data = RandomNumberGenerator.GetBytes(4 << 20);
        var reading = ReadToEndAsync(clientPeer);
        await upstreamPeer.SendAsync(data);
        upstreamPeer.Shutdown(SocketShutdown.Send);

        var result = await Eventually.WithinAsync(relay, "the relay ends");
        var received = await Eventually.WithinAsync(reading, "the client reads to the end");
        Assert.Equal(RelayOutcome.UpstreamCompleted, result.Outcome);
        Assert.True(data.AsSpan().SequenceEqual(received), "the copied bytes differ");
    }

    [Fact]
    public async Task ClientLeavingMidStreamEndsTheRelayAndReturnsThePipe()
    {
        var pool = new KernelPipePool(1 << 20, 2, 8);
        var (relay, upstreamPeer, clientPeer) = await StartAsync(pool, clientReceiveBuffer: 4096);
        var sending = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 64; i++)
                {
                    await upstreamPeer.SendAsync(new byte[1 << 20]);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The relay closing the upstream resets the connection, which ends the sender.
            }
        });
        await Eventually.UntilAsync(() => pool.Lent == 1, "the relay is blocked on the client with a pipe lent");
        clientPeer.LingerState = new LingerOption(true, 0);
        clientPeer.Close(); // a reset, as a client killed mid-stream

        var result = await Eventually.WithinAsync(relay, "the relay notices the client left");
        Assert.Equal(RelayOutcome.ClientClosed, result.Outcome);
        Assert.Equal(0, pool.Lent);

        // The relay closed its end of the upstream, so the sender's pending send fails on its own. Disposing the
        // sender's socket first would race that send (ObjectDisposedException instead of the reset): wait, then dispose.
        await Eventually.WithinAsync(sending, "the upstream sender stops once the relay closed the upstream");
    }

    [Fact]
    public async Task UpstreamResetIsAnUpstreamFailure()
    {
        var pool = new KernelPipePool(1 << 20, 2, 8);
        var (relay, upstreamPeer, _) = await StartAsync(pool);
        upstreamPeer.LingerState = new LingerOption(true, 0);
        upstreamPeer.Close();

        var result = await Eventually.WithinAsync(relay, "the relay notices the upstream reset");
        Assert.Equal(RelayOutcome.UpstreamFailed, result.Outcome);
        Assert.Equal(0, pool.Lent);
    }

    /// <summary>Relay between two loopback connections: the test writes upstreamPeer and reads clientPeer.</summary>
    private async Task<(Task<RelayResult> Relay, Socket UpstreamPeer, Socket ClientPeer)> StartAsync(KernelPipePool pool, int? clientReceiveBuffer = null)
    {
        var (upstream, upstreamPeer) = await ConnectedPairAsync(null);
        var (client, clientPeer) = await ConnectedPairAsync(clientReceiveBuffer);
        if (clientReceiveBuffer is { } size)
        {
            client.SendBufferSize = size;
        }

        var input = PipeReader.Create(new NetworkStream(client, ownsSocket: false));
        var upstreamStream = new NetworkStream(upstream, ownsSocket: true);
        var relay = Task.Run(async () =>
        {
            using var cts = new CancellationTokenSource();
            var drain = DrainAsync(input, cts.Token);
            var result = await SpliceCopier.CopyAsync(upstreamStream, client, pool, progress: null, cts.Token);
            await cts.CancelAsync();
            await drain;
            await upstreamStream.DisposeAsync();
            client.Shutdown(SocketShutdown.Send);
            return result;
        });
        return (relay, upstreamPeer, clientPeer);
    }

    private static async Task DrainAsync(PipeReader input, CancellationToken cancellationToken)
    {
        try
        {
            while (!(await input.ReadAsync(cancellationToken)).IsCompleted)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
        }
    }

    private async Task<(Socket Server, Socket Peer)> ConnectedPairAsync(int? peerReceiveBuffer)
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var peer = new Socket(SocketType.Stream, ProtocolType.Tcp);
        if (peerReceiveBuffer is { } size)
        {
            peer.ReceiveBufferSize = size;
        }

        await peer.ConnectAsync(listener.LocalEndPoint!);
        var server = await listener.AcceptAsync();
        _sockets.Add(peer);
        _sockets.Add(server);
        return (server, peer);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0)
        {
            memory.Write(buffer, 0, n);
        }

        return memory.ToArray();
    }
}
