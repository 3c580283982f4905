using System.Net;
using System.Net.Sockets;
using Zuul.LiveLog.Finger.Sharing;
using Zuul.LiveLog.Finger.Splice;

namespace Zuul.LiveLog.Tests.Finger;

/// <summary>The shared streams' memory file on real sockets: spliced and copied appends, reads, sendfile to a socket, dropped bytes.</summary>
public sealed class LogWindowTests
{
    [Fact]
    public async Task SplicedAndCopiedBytesReadBackAndSendfileDeliversThem()
    {
        using var window = LogWindow.Create();
        var (upstream, upstreamPeer) = await ConnectedPairAsync();
        using (upstreamPeer)
        await using (var stream = new NetworkStream(upstream, ownsSocket: true))
        {
            var first = Enumerable.Range(0, 300_000).Select(i => (byte)(i % 251)).ToArray();
            await upstreamPeer.SendAsync(first);
            long appended = 0;
            while (appended < first.Length)
            {
                appended += await window.AppendAsync(stream, KernelPipePool.Shared, CancellationToken.None);
            }

            Assert.Equal(first.Length, window.End);
            var back = new byte[first.Length];
            Assert.Equal(first.Length, window.Read(0, back));
            Assert.Equal(first, back);

            // A stream that is not a socket (TLS in production) is copied in.
            var second = "copied through a buffer\n"u8.ToArray();
            Assert.Equal(second.Length, await window.AppendAsync(new MemoryStream(second), KernelPipePool.Shared, CancellationToken.None));
            var tail = new byte[second.Length];
            window.Read(first.Length, tail);
            Assert.Equal(second, tail);

            upstreamPeer.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, await window.AppendAsync(stream, KernelPipePool.Shared, CancellationToken.None));
        }

        // sendfile to a client socket, from an offset.
        var (client, clientPeer) = await ConnectedPairAsync();
        using (client)
        using (clientPeer)
        {
            var from = 1000L;
            while (from < window.End)
            {
                var n = window.SendTo(client, from, window.End);
                Assert.True(n >= 0, $"sendfile failed ({n})");
                from += n;
            }

            client.Shutdown(SocketShutdown.Send);
            using var received = new MemoryStream();
            await new NetworkStream(clientPeer).CopyToAsync(received);
            var expected = new byte[window.End - 1000];
            window.Read(1000, expected);
            Assert.Equal(expected, received.ToArray());
        }

        // Dropped bytes are gone for readers; the rest stays.
        window.DropBefore(200_000);
        Assert.Equal(200_000, window.Start);
        Assert.Equal(-1, window.Read(100, new byte[10]));
        Assert.Equal(LogWindow.Dropped, window.SendTo(client, 100, 200));
        var kept = new byte[10];
        Assert.Equal(10, window.Read(200_000, kept));
        Assert.Equal(Enumerable.Range(200_000, 10).Select(i => (byte)(i % 251)), kept);
    }

    private static async Task<(Socket A, Socket B)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var a = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await a.ConnectAsync(listener.LocalEndPoint!);
        var b = await listener.AcceptAsync();
        return (a, b);
    }
}
