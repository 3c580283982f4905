using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Executor;

/// <summary>The executor's finger log streamer on real loopback sockets (PROTOCOL.md sections 1 and 2).</summary>
public sealed class LogStreamerTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GrowingLogArrivesCompleteAndInOrder(bool sendFile)
    {
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile));
        var build = host.NewBuild("first line\n");
        using var client = host.Connect().Send(build.Id + "\r\n");
        await client.WaitForBytesAsync(build.Content().Length);

        for (var i = 0; i < 2000; i++)
        {
            build.Append($"line {i:00000} {new string('x', i % 97)}\n");
            if (i % 200 == 0)
            {
                // Now and then let the reader catch up, so bytes arrive both by catch-up and by following.
                await client.WaitForBytesAsync(build.Content().Length);
            }
        }

        build.Finish();
        var received = await client.ReadToEndAsync();
        Assert.Equal(build.Content(), received);

        Assert.Empty(host.Log.Problems);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FinishingTheBuildEndsTheStream(bool sendFile)
    {
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile, ("Executor:FollowRecheckInterval", "00:00:30")));
        var build = host.NewBuild("running\n");
        using var client = host.Connect().Send(build.Id + "\n");
        await client.WaitForTextAsync("running\n");
        Assert.False(client.Closed);

        build.Append("last words\n");
        build.Finish();
        var received = await client.ReadToEndAsync();
        Assert.Equal("running\nlast words\n", Encoding.UTF8.GetString(received));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RemovingTheJobDirectoryEndsTheStream(bool sendFile)
    {
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile, ("Executor:FollowRecheckInterval", "00:00:00.200")));
        var build = host.NewBuild("before removal\n");
        using var client = host.Connect().Send(build.Id + "\n");
        await client.WaitForTextAsync("before removal\n");

        Directory.Delete(build.DirectoryPath, recursive: true);
        var received = await client.ReadToEndAsync();
        Assert.Equal("before removal\n", Encoding.UTF8.GetString(received));
    }

    [Fact]
    public async Task AFinishedBuildIsSentWholeAndClosed()
    {
        await using var host = await ExecutorHost.StartAsync();
        var build = host.NewBuild("all\nof\nit\n");
        build.Finish();
        using var client = host.Connect().Send(build.Id + "\n");
        Assert.Equal(build.Content(), await client.ReadToEndAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnAppendedLineReachesTheReaderThroughNotificationNotPolling(bool sendFile)
    {
        // The safety re-check is at its maximum, a minute: each line must arrive well before any re-check could run,
        // so only a file notification can deliver it within the (load-tolerant) deadline.
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile, ("Executor:FollowRecheckInterval", "00:01:00")));
        var build = host.NewBuild("start\n");
        using var client = host.Connect().Send(build.Id + "\n");
        await client.WaitForTextAsync("start\n");

        for (var i = 0; i < 5; i++)
        {
            var line = $"appended {i}\n";
            build.Append(line);
            await client.WaitForTextAsync(line, TimeSpan.FromSeconds(20));
        }

        build.Finish();
        await client.ReadToEndAsync();
    }

    [Theory]
    [InlineData("nope\r\n", "Build ID nope is not valid\n")]
    [InlineData("../../etc/passwd\n", "Build ID ../../etc/passwd is not valid\n")]
    [InlineData("/W ..%2f..%2fetc\n", "Build ID ..%2f..%2fetc is not valid\n")]
    [InlineData("0123456789abcdef0123456789abcdef0\n", "Build ID 0123456789abcdef0123456789abcdef0 is not valid\n")]
    [InlineData("0123456789abcdef0123456789abcdef\n", "Build ID 0123456789abcdef0123456789abcdef not found\n")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF\n", "Build ID 0123456789abcdef0123456789abcdef not found\n")]
    public async Task BadRequestsGetZuulsErrorLine(string request, string expected)
    {
        await using var host = await ExecutorHost.StartAsync();
        using var client = host.Connect().Send(request);
        Assert.Equal(expected, Encoding.UTF8.GetString(await client.ReadToEndAsync()));
    }

    [Fact]
    public async Task AJobDirectoryWithoutLogAnswersLogNotFound()
    {
        await using var host = await ExecutorHost.StartAsync();
        var build = host.NewBuild(initial: null);
        using var client = host.Connect().Send(build.Id + "\n");
        Assert.Equal($"Log not found for build ID {build.Id}\n", Encoding.UTF8.GetString(await client.ReadToEndAsync()));
    }

    [Fact]
    public async Task ATooLongRequestLineIsRefused()
    {
        await using var host = await ExecutorHost.StartAsync();
        using var client = host.Connect().Send(new string('a', 2000));
        Assert.Equal("Request line too long\n", Encoding.UTF8.GetString(await client.ReadToEndAsync()));
    }

    [Fact]
    public async Task AClientThatNeverSendsALineIsClosedAfterTheTimeout()
    {
        await using var host = await ExecutorHost.StartAsync(new Dictionary<string, string> { ["Executor:RequestTimeout"] = "00:00:00.300" });
        using var client = host.Connect();
        var watch = Stopwatch.StartNew();
        client.Send("0123");
        var received = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("Timed out waiting for the request line\n", Encoding.UTF8.GetString(received));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"closed after {watch.Elapsed}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AClientThatDisconnectsMidStreamDoesNotDisturbTheOthers(bool sendFile)
    {
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile));
        var build = host.NewBuild(new string('a', 100_000) + "\n");
        using var leaver = host.Connect().Send(build.Id + "\n");
        using var halfCloser = host.Connect().Send(build.Id + "\n");
        using var stayers = new DisposableList(Enumerable.Range(0, 3).Select(_ => host.Connect().Send(build.Id + "\n")));
        await leaver.WaitForBytesAsync(1);
        leaver.Abort();
        await halfCloser.WaitForBytesAsync(1);
        halfCloser.Socket.Shutdown(SocketShutdown.Send);
        await halfCloser.ReadToEndAsync();

        build.Append("after the leavers\n");
        build.Finish();
        foreach (var client in stayers.Items)
        {
            Assert.Equal(build.Content(), await client.ReadToEndAsync());
        }

        Assert.Empty(host.Log.Problems);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AClientThatDoesNotReadDoesNotHoldUpTheOthers(bool sendFile)
    {
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile));
        var build = host.NewBuild();
        var block = new byte[1024 * 1024];
        Array.Fill(block, (byte)'s');
        for (var i = 0; i < 16; i++)
        {
            build.Append(block);
        }

        build.Finish();
        var stalled = FingerTestClient.Connect(host.Port, receiveBufferSize: 4096).SendWithoutReading(Encoding.ASCII.GetBytes(build.Id + "\n"));
        await Eventually.UntilAsync(() => host.Watches.Count == 1, "the stalled stream to start");

        using (var reader = host.Connect().Send(build.Id + "\n"))
        {
            Assert.Equal(build.Content().Length, (await reader.ReadToEndAsync()).Length);
        }

        Assert.Equal(1, host.Watches.Count);
        stalled.Abort();
        await Eventually.UntilAsync(() => host.Watches.Count == 0, "the stalled stream to end once its client is gone");

        Assert.Empty(host.Log.Problems);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TwoHundredConcurrentReadersReceiveIdenticalBytesThroughOneWatch(bool sendFile)
    {
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile));
        var build = host.NewBuild();
        var random = new Random(42);
        var chunk = new byte[8 * 1024];
        for (var i = 0; i < 16; i++)
        {
            random.NextBytes(chunk);
            build.Append(chunk);
        }

        using var clients = new DisposableList(Enumerable.Range(0, 200).Select(_ => host.Connect().Send(build.Id + "\n")));
        await Eventually.UntilAsync(() => clients.Items.All(c => c.ReceivedCount >= 1), "every reader to get data");
        Assert.Equal(1, host.Watches.Count);

        for (var i = 0; i < 16; i++)
        {
            random.NextBytes(chunk);
            build.Append(chunk);
        }

        build.Finish();
        var expected = build.Content();
        foreach (var client in clients.Items)
        {
            Assert.Equal(expected, await client.ReadToEndAsync());
        }

        await Eventually.UntilAsync(() => host.Watches.Count == 0, "the shared watch to be released");

        Assert.Empty(host.Log.Problems);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ATruncatedLogIsSentAgainFromTheBeginning(bool sendFile)
    {
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile, ("Executor:FollowRecheckInterval", "00:00:00.200")));
        var build = host.NewBuild("old content that is long\n");
        using var client = host.Connect().Send(build.Id + "\n");
        await client.WaitForTextAsync("old content that is long\n");

        using (var stream = new FileStream(build.LogPath, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Write("new\n"u8);
        }

        await client.WaitForTextAsync("old content that is long\nnew\n");
        build.Finish();
        Assert.Equal("old content that is long\nnew\n", Encoding.UTF8.GetString(await client.ReadToEndAsync()));

        Assert.Empty(host.Log.Problems);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ATruncationWhileBytesAreStillOnTheirWayRestartsCleanly(bool sendFile)
    {
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile, ("Executor:FollowRecheckInterval", "00:00:00.200")));
        var build = host.NewBuild();
        var block = new byte[1024 * 1024];
        Array.Fill(block, (byte)'o');
        for (var i = 0; i < 32; i++)
        {
            build.Append(block);
        }

        // The reader does not read yet, so most of the old file is still unsent when it is truncated.
        using var client = FingerTestClient.Connect(host.Port, receiveBufferSize: 4096).SendWithoutReading(Encoding.ASCII.GetBytes(build.Id + "\n"));
        await Eventually.UntilAsync(() => host.Watches.Count == 1, "the stream to start");
        using (var stream = new FileStream(build.LogPath, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Write("new\n"u8);
        }

        build.Finish();
        var received = await client.ReadToEndAsync();

        // Of the old file, at most what was already on its way when the truncation was seen: the executor's socket
        // send buffer (at most tcp_wmem's maximum), the client's receive buffer and one read chunk in flight. The
        // rest of the 32 MiB must never be sent.
        var oldBytes = received.Length - 4;
        var inFlight = TcpSendBufferMax() + (2 * client.Socket.ReceiveBufferSize) + (1024 * 1024);
        Assert.True(32L * 1024 * 1024 > 2 * inFlight, $"the old file ({32} MiB) is too small to tell a restart from a full send of it (in flight up to {inFlight} bytes)");
        Assert.True(oldBytes <= inFlight, $"{oldBytes} bytes of the old file were sent; at most {inFlight} could have been on their way when it was truncated");
        Assert.Equal("new\n", Encoding.ASCII.GetString(received, received.Length - 4, 4));
        Assert.True(received.AsSpan(0, received.Length - 4).IndexOfAnyExcept((byte)'o') < 0, "only the old file's bytes before the new file");
        Assert.Empty(host.Log.Problems);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AReplacedLogIsSentAgainFromTheBeginning(bool sendFile)
    {
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile, ("Executor:FollowRecheckInterval", "00:00:00.200")));
        var build = host.NewBuild("first file\n");
        using var client = host.Connect().Send(build.Id + "\n");
        await client.WaitForTextAsync("first file\n");

        // A longer file under the same name: only the inode tells it apart.
        var replacement = build.LogPath + ".new";
        File.WriteAllText(replacement, "second file, longer than the first\n");
        File.Move(replacement, build.LogPath, overwrite: true);

        await client.WaitForTextAsync("first file\nsecond file, longer than the first\n");
        build.Finish();
        Assert.Equal("first file\nsecond file, longer than the first\n", Encoding.UTF8.GetString(await client.ReadToEndAsync()));

        Assert.Empty(host.Log.Problems);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BytesTheClientSendsAfterTheRequestDoNotStallTheStream(bool sendFile)
    {
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile));
        var build = host.NewBuild(new string('z', 200_000) + "\n");
        using var client = host.Connect().Send(build.Id + "\n");

        // 32 MiB is far more than the socket buffers hold: the send only completes if the server keeps reading.
        var junk = new byte[1024 * 1024];
        Array.Fill(junk, (byte)'j');
        var sender = Task.Run(() =>
        {
            for (var i = 0; i < 32; i++)
            {
                client.Socket.Send(junk);
            }
        });
        await Eventually.WithinAsync(sender, "the server to drain the client's extra bytes");

        build.Append("still streaming\n");
        build.Finish();
        Assert.Equal(build.Content(), await client.ReadToEndAsync());

        Assert.Empty(host.Log.Problems);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ClientEofEndsTheStream(bool sendFile)
    {
        await using var host = await ExecutorHost.StartAsync(Settings(sendFile));
        var build = host.NewBuild("hello\n");
        using var client = host.Connect().Send(build.Id + "\n");
        await client.WaitForTextAsync("hello\n");
        client.Socket.Shutdown(SocketShutdown.Send);
        Assert.Equal("hello\n", Encoding.UTF8.GetString(await client.ReadToEndAsync()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StoppingTheExecutorEndsFollowingStreamsPromptly(bool sendFile)
    {
        var host = await ExecutorHost.StartAsync(Settings(sendFile));
        try
        {
            var build = host.NewBuild(new string('r', 4 * 1024 * 1024) + "\n");
            using var follower = host.Connect().Send(build.Id + "\n");
            using var stalled = FingerTestClient.Connect(host.Port, receiveBufferSize: 4096).SendWithoutReading(Encoding.ASCII.GetBytes(build.Id + "\n"));
            await follower.WaitForBytesAsync(build.Content().Length);
            await Eventually.UntilAsync(() => host.Watches.Count == 1, "both streams to follow");

            await Eventually.WithinAsync(host.App.StopAsync(), "the executor to stop", TimeSpan.FromSeconds(10));
            await follower.ReadToEndAsync();
            Assert.Equal(0, host.Watches.Count);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task TheVerbosePrefixAndDashedUuidAreAccepted()
    {
        await using var host = await ExecutorHost.StartAsync();
        var build = host.NewBuild("verbose\n");
        build.Finish();
        var dashed = Guid.ParseExact(build.Id, "N").ToString("D").ToUpperInvariant();
        using var client = host.Connect().Send($"/W {dashed}\r\n");
        Assert.Equal("verbose\n", Encoding.UTF8.GetString(await client.ReadToEndAsync()));
    }

    /// <summary>The largest send buffer the kernel lets a TCP socket grow to (the third field of tcp_wmem).</summary>
    private static int TcpSendBufferMax() =>
        int.Parse(File.ReadAllText("/proc/sys/net/ipv4/tcp_wmem").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Settings(bool sendFile, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string> { ["Executor:UseSendFile"] = sendFile ? "true" : "false" };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    private sealed class DisposableList(IEnumerable<FingerTestClient> items) : IDisposable
    {
        public List<FingerTestClient> Items { get; } = items.ToList();

        public void Dispose() => Items.ForEach(i => i.Dispose());
    }
}
