using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Zuul.LiveLog.Finger.Sharing;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Integration;

/// <summary>
/// Shared upstreams: many finger clients of one build through two gateways (zone A's, then zone B's) make one
/// connection at the executor; late joiners get what came before from memory; a client late beyond the window, or one
/// that falls behind it, reads the start from its own upstream and joins the shared tail, losing and repeating nothing.
/// </summary>
public sealed class SharedStreamTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "shared-" + Guid.NewGuid().ToString("N"));
    private readonly ClusterHarness _cluster = new();

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task TwoHundredFollowersJoiningAtRandomSomeSlowSomeLeavingGetExactBytesThroughTwoHopsOverOneExecutorConnection()
    {
        // The harness's 2 s request timeout is for the silent-client test: 200 clients connecting to a gateway on a loaded
        // machine may wait longer than that to be read, and a timed-out one gets the 39-byte error line and a clean end.
        var gatewayA = await _cluster.StartSiloAsync("zone-a", "127.0.0.1", "--FingerGateway:RequestTimeout", "00:01:00");
        var gatewayB = await _cluster.StartSiloAsync("zone-b", "127.0.0.1", "--FingerGateway:RequestTimeout", "00:01:00");
        var executor = await _cluster.StartExecutorAppAsync(_jobRoot, "zone-b", "127.0.0.1");
        await _cluster.WaitForGatewaysAsync("zone-b", 1);
        var build = await _cluster.StartBuildAsync(_jobRoot);

        // About 3 MB written over about 3 s (well within the 16 MiB window); followers join while it is written.
        var random = new Random(1717);
        var plans = Enumerable.Range(0, 200).Select(i => (
            Delay: TimeSpan.FromMilliseconds(random.Next(0, 2500)),
            Kind: (i % 10) switch { 0 => Follower.Slow, 1 => Follower.Leaving, _ => Follower.Steady },
            LeaveAfter: random.Next(1_000, 600_000))).ToList();
        var followers = plans.Select(p => FollowAsync(gatewayA.FingerPort, build.Id, p.Delay, p.Kind, p.LeaveAfter)).ToList();
        for (var i = 0; i < 300; i++)
        {
            await build.AppendAsync($"line {i:D4} \u001b[32mok\u001b[0m ünïcödé {new string((char)('a' + (i % 26)), 10_000)}\n");
            await Task.Delay(10);
        }

        // While the build runs, one connection at the executor carries every follower.
        var whileRunning = executor.Ledger.Accepted.Values.Sum();
        await build.FinishAsync();
        var expected = await File.ReadAllBytesAsync(build.LogPath);
        var results = await Task.WhenAll(followers);
        for (var i = 0; i < results.Length; i++)
        {
            if (plans[i].Kind == Follower.Leaving)
            {
                Assert.True(results[i].Length <= expected.Length && expected.AsSpan(0, results[i].Length).SequenceEqual(results[i]),
                    $"leaving follower {i} got bytes that are not the log's start ({results[i].Length} bytes)");
            }
            else
            {
                Assert.True(expected.AsSpan().SequenceEqual(results[i]), $"follower {i} ({plans[i].Kind}, joined after {plans[i].Delay.TotalMilliseconds} ms) got {results[i].Length} bytes, not the log's {expected.Length}; they begin {Shown(results[i])}");
            }
        }

        Assert.Equal(1, whileRunning);
        AssertAtMostTheEndsConfirmation(1, executor);
        Assert.Equal(1, Hub(gatewayA).UpstreamsOpened);
        Assert.Equal(0, Hub(gatewayA).CatchUps);
        Assert.Equal(1, Hub(gatewayB).UpstreamsOpened);
    }

    [Fact]
    public async Task LateJoinerBeyondTheWindowAndAStalledClientCatchUpOnTheirOwnAndLoseOrRepeatNothing()
    {
        // The smallest window there is (2 MiB), a log of 8 MB before the late joiner comes.
        var gateway = await _cluster.StartSiloAsync("zone-b", "127.0.0.1", "--SharedStreams:BuildCacheBytes", "2097152");
        var executor = await _cluster.StartExecutorAppAsync(_jobRoot, "zone-b", "127.0.0.1");
        await _cluster.WaitForGatewaysAsync("zone-b", 1);
        var build = await _cluster.StartBuildAsync(_jobRoot);
        var line = new string('x', 1000);
        await build.AppendAsync("first line\n");

        var steadyHas = new StrongBox<long>();
        var steady = FollowAsync(gateway.FingerPort, build.Id, TimeSpan.Zero, Follower.Steady, 0, progress: steadyHas);
        var stalled = StalledFollowAsync(gateway.FingerPort, build.Id, out var resume);
        for (var i = 0; i < 8000; i++)
        {
            await build.AppendAsync($"{i:D5} {line}\n");
        }

        // Joining late means joining after the window moved on: once the steady follower has 4 MB, the shared reader has
        // read that much and the 2 MiB window no longer starts at the log's first byte. (A full run on a loaded machine
        // started the late joiner while the gateway still held the start, and it never had to catch up.)
        await _cluster.Logs.UntilAsync(() => Task.FromResult(Volatile.Read(ref steadyHas.Value) >= 4_000_000), "the steady follower to get 4 MB", Timeout, () => $"the steady follower has {steadyHas.Value} bytes");
        var late = FollowAsync(gateway.FingerPort, build.Id, TimeSpan.Zero, Follower.Steady, 0);

        // It reads the log's start over an upstream of its own, and joins the window where it reaches it: at most one
        // read (64 KiB) past the window's start, well inside its 2 MiB, so the build need not write anything meanwhile.
        await _cluster.Logs.UntilAsync(
            () => Task.FromResult(Hub(gateway).CatchUps >= 1 && Hub(gateway).Rejoins >= 1),
            "the late joiner to catch up on its own and join the shared stream",
            Timeout,
            () => $"catch-ups {Hub(gateway).CatchUps}, rejoins {Hub(gateway).Rejoins}, upstreams opened {Hub(gateway).UpstreamsOpened}, shared streams {Hub(gateway).Streams}, "
                + $"bytes in windows {Hub(gateway).Total}, late joiner done {late.IsCompleted}, steady done {steady.IsCompleted}");

        // The stalled client reads again: it is far behind the window, so it catches up on its own too.
        resume.SetResult();
        await _cluster.Logs.UntilAsync(() => Task.FromResult(Hub(gateway).CatchUps >= 2), "the stalled client to catch up on its own", Timeout, () => $"catch-ups {Hub(gateway).CatchUps}, rejoins {Hub(gateway).Rejoins}, stalled done {stalled.IsCompleted}");

        // The live tail, followed by everyone.
        for (var i = 0; i < 200; i++)
        {
            await build.AppendAsync($"tail {i:D3} {line}\n");
            await Task.Delay(2);
        }

        var whileRunning = executor.Ledger.Accepted.Values.Sum();
        var catchUps = Hub(gateway).CatchUps;
        await build.FinishAsync();
        var expected = await File.ReadAllBytesAsync(build.LogPath);
        var (steadyBytes, lateBytes, stalledBytes) = (await steady, await late, await stalled);
        Assert.True(expected.AsSpan().SequenceEqual(steadyBytes), $"the steady follower got {steadyBytes.Length} bytes, not the log's {expected.Length}");
        Assert.True(expected.AsSpan().SequenceEqual(lateBytes), $"the late joiner got {lateBytes.Length} bytes, not the log's {expected.Length}");
        Assert.True(expected.AsSpan().SequenceEqual(stalledBytes), $"the stalled follower got {stalledBytes.Length} bytes, not the log's {expected.Length}");
        Assert.Equal(1 + catchUps, whileRunning);
        AssertAtMostTheEndsConfirmation(1 + Hub(gateway).CatchUps, executor);
    }

    [Fact]
    public async Task LateJoinerWhoseOwnUpstreamIsRefusedGetsAResetNotACleanEndOfATruncatedLog()
    {
        // The executor takes one connection from the gateway's address: the shared upstream. The late joiner's own
        // upstream is refused with an error line and a clean end; the client must see a failure, not a finished log.
        var gateway = await _cluster.StartSiloAsync("zone-b", "127.0.0.1", "--SharedStreams:BuildCacheBytes", "2097152");
        await _cluster.StartExecutorAppAsync(_jobRoot, "zone-b", "127.0.0.1", "--Executor:MaxConnectionsPerClient", "1");
        await _cluster.WaitForGatewaysAsync("zone-b", 1);
        var build = await _cluster.StartBuildAsync(_jobRoot);
        var line = new string('x', 1000);
        await build.AppendAsync("first line\n");
        var steady = FollowAsync(gateway.FingerPort, build.Id, TimeSpan.Zero, Follower.Steady, 0);
        for (var i = 0; i < 8000; i++)
        {
            await build.AppendAsync($"{i:D5} {line}\n");
        }

        await Eventually.UntilAsync(() => Hub(gateway).Total >= 2_000_000, "the gateway's window to fill", Timeout);
        var late = FollowAsync(gateway.FingerPort, build.Id, TimeSpan.Zero, Follower.Steady, 0);
        await Eventually.UntilAsync(() => Hub(gateway).CatchUps >= 1, "the late joiner to try an upstream of its own", Timeout);
        await Assert.ThrowsAnyAsync<IOException>(() => late);

        await build.FinishAsync();
        var expected = await File.ReadAllBytesAsync(build.LogPath);
        var steadyBytes = await steady;
        Assert.True(expected.AsSpan().SequenceEqual(steadyBytes), $"the steady follower got {steadyBytes.Length} bytes, not the log's {expected.Length}");
    }

    [Fact]
    public async Task FollowersOfASharedUpstreamWhoseNextHopStopsMidStreamAreResumedWithItAndGetExactBytes()
    {
        // Gateway A's one upstream for the build goes to zone B's gateway, which stops mid-stream: after its drain time it
        // resets the stream; the shared upstream is resumed by offset through zone B's other gateway, and every follower
        // of it goes on from the same bytes, none of them seeing an end before the build's.
        var gatewayA = await _cluster.StartSiloAsync("zone-a", "127.0.0.1");
        var gatewayB = await _cluster.StartSiloAsync("zone-b", "127.0.0.1", "--FingerGateway:DrainTime", "00:00:01");
        var executor = await _cluster.StartExecutorAppAsync(_jobRoot, "zone-b", "127.0.0.1");
        await _cluster.WaitForGatewaysAsync("zone-b", 1);
        var build = await _cluster.StartBuildAsync(_jobRoot);
        await build.AppendAsync("before the hop stopped\n");
        var started = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        var followers = started.Select(s => FollowAsync(gatewayA.FingerPort, build.Id, TimeSpan.Zero, Follower.Steady, 0, s)).ToList();
        await Task.WhenAll(started.Select(s => s.Task)).WaitAsync(Timeout);
        Assert.Equal(1, Hub(gatewayA).UpstreamsOpened);

        await _cluster.StartSiloAsync("zone-b", "127.0.0.1");
        await _cluster.WaitForGatewaysAsync("zone-b", 2);
        await _cluster.StopSiloAsync(gatewayB.App);
        await _cluster.Logs.WaitForAsync($"Build {build.Id}: shared upstream resumed at byte", "gateway A's shared upstream to be resumed through zone B's other gateway", Timeout);
        Assert.All(followers, f => Assert.False(f.IsCompleted, "a follower's stream ended while the build runs"));

        await build.AppendAsync("after the hop stopped\n");
        await Eventually.UntilAsync(() => executor.Ledger.Accepted.Values.Sum() >= 2, "zone B's other gateway to stream from the executor", Timeout);
        var whileRunning = executor.Ledger.Accepted.Values.Sum();
        await build.FinishAsync();
        var expected = await File.ReadAllBytesAsync(build.LogPath);
        foreach (var bytes in await Task.WhenAll(followers))
        {
            Assert.True(expected.AsSpan().SequenceEqual(bytes), $"a follower got {bytes.Length} bytes, not the log's {expected.Length}; they begin {Shown(bytes)}");
        }

        Assert.Equal(1, Hub(gatewayA).UpstreamsOpened);
        Assert.Equal(0, Hub(gatewayA).CatchUps);
        // While the build ran: gateway B's upstream, then the other one's, nothing else. After the finish each gateway on
        // the path may confirm the end once (it asked the cluster before the executor's report arrived), and gateway A's
        // confirmation reaches the executor when zone B's other gateway no longer holds the finished stream: a stress
        // run saw 4 with every follower's bytes exact.
        Assert.Equal(2, whileRunning);
        Assert.InRange(executor.Ledger.Accepted.Values.Sum(), 2, 4);
    }

    [Fact]
    public async Task UpstreamStaysForAReloadWithinTheLingerAndClosesAfterIt()
    {
        // A linger long enough that a reload on a loaded machine comes within it; the test then waits it out.
        var gateway = await _cluster.StartSiloAsync("zone-b", "127.0.0.1", "--SharedStreams:Linger", "00:00:05");
        var executor = await _cluster.StartExecutorAppAsync(_jobRoot, "zone-b", "127.0.0.1");
        await _cluster.WaitForGatewaysAsync("zone-b", 1);
        var build = await _cluster.StartBuildAsync(_jobRoot);
        await build.AppendAsync("hello\n");

        await ReadFirstLineAndLeaveAsync(gateway.FingerPort, build.Id);
        await ReadFirstLineAndLeaveAsync(gateway.FingerPort, build.Id); // a reload, well within the linger
        Assert.Equal(1, Hub(gateway).UpstreamsOpened);
        Assert.Equal(1, executor.Ledger.Accepted.Values.Sum());

        await Eventually.UntilAsync(() => Hub(gateway).Streams == 0, "the upstream to close after the linger", Timeout);
        await ReadFirstLineAndLeaveAsync(gateway.FingerPort, build.Id);
        Assert.Equal(2, Hub(gateway).UpstreamsOpened);
        Assert.Equal(2, executor.Ledger.Accepted.Values.Sum());
        await build.FinishAsync();
    }

    /// <summary>
    /// The executor accepted <paramref name="streaming"/> connections, or one more: the executor closes a stream when the
    /// build's done marker appears, and a gateway that asks the cluster before the executor's report of the finish
    /// arrived opens the stream once more to confirm the end (it serves every byte again and ends: PROTOCOL.md section 6).
    /// </summary>
    private static void AssertAtMostTheEndsConfirmation(long streaming, ExecutorHandle executor) =>
        Assert.InRange(executor.Ledger.Accepted.Values.Sum(), streaming, streaming + 1);

    /// <summary>The first bytes a client got, readable: an error line in them says which hop ended it.</summary>
    private static string Shown(byte[] bytes) =>
        System.Text.Json.JsonSerializer.Serialize(Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 80)));

    private static SharedStreamHub Hub(SiloHandle silo) => silo.App.Services.GetRequiredService<SharedStreamHub>();

    private enum Follower
    {
        Steady,
        Slow,
        Leaving,
    }

    /// <summary>A finger client joining after <paramref name="delay"/>: steady reads everything, slow reads 4 KiB every 5 ms through a small receive buffer, leaving closes after about <paramref name="leaveAfter"/> bytes.</summary>
    private static async Task<byte[]> FollowAsync(int port, string buildId, TimeSpan delay, Follower kind, int leaveAfter, TaskCompletionSource? firstBytes = null, StrongBox<long>? progress = null)
    {
        await Task.Delay(delay);
        using var cts = new CancellationTokenSource(Timeout);
        using var client = new TcpClient();
        if (kind == Follower.Slow)
        {
            client.ReceiveBufferSize = 4096;
        }

        await client.ConnectAsync("127.0.0.1", port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(buildId + "\n"), cts.Token);
        using var received = new MemoryStream();
        var buffer = new byte[kind == Follower.Slow ? 4096 : 65536];
        while (true)
        {
            var n = await stream.ReadAsync(buffer, cts.Token);
            if (n == 0)
            {
                return received.ToArray();
            }

            received.Write(buffer, 0, n);
            firstBytes?.TrySetResult();
            if (progress is not null)
            {
                Volatile.Write(ref progress.Value, received.Length);
            }

            if (kind == Follower.Leaving && received.Length >= leaveAfter)
            {
                return received.ToArray();
            }

            if (kind == Follower.Slow)
            {
                await Task.Delay(5, cts.Token);
            }
        }
    }

    /// <summary>A client that reads its first byte, then nothing until <paramref name="resume"/> is set, then everything.</summary>
    private static Task<byte[]> StalledFollowAsync(int port, string buildId, out TaskCompletionSource resume)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        resume = go;
        return Run();

        async Task<byte[]> Run()
        {
            using var cts = new CancellationTokenSource(Timeout);
            using var client = new TcpClient { ReceiveBufferSize = 4096 };
            await client.ConnectAsync("127.0.0.1", port, cts.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(buildId + "\n"), cts.Token);
            var first = new byte[1];
            await stream.ReadExactlyAsync(first, cts.Token);
            await go.Task.WaitAsync(cts.Token);
            using var received = new MemoryStream();
            received.Write(first);
            await stream.CopyToAsync(received, cts.Token);
            return received.ToArray();
        }
    }

    private static async Task ReadFirstLineAndLeaveAsync(int port, string buildId)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(buildId + "\n"), cts.Token);
        var line = new byte["hello\n".Length];
        await stream.ReadExactlyAsync(line, cts.Token);
        Assert.Equal("hello\n", Encoding.ASCII.GetString(line));
    }
}
