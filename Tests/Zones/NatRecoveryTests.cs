using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Xunit.Abstractions;

namespace Zuul.LiveLog.Tests.Zones;

/// <summary>
/// Issue 12's recovery cases in the NAT lab: zone B's silo killed and restarted, then zone B's link to the WAN (and so
/// to ZooKeeper and zone A) cut silently for 30 s. Zone A streams its build throughout; zone B keeps streaming its own
/// builds to its own users while cut off; after the link returns the build registered during the cut is listed and
/// streams byte-exact through zone A, without a restart of anything.
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class NatRecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan CutFor = TimeSpan.FromSeconds(30);
    private readonly NatLab _lab = new();

    public Task InitializeAsync() => _lab.InitializeAsync();

    public Task DisposeAsync() => _lab.DisposeAsync();

    [Fact]
    public async Task ZoneBComesBackAfterASiloRestartAndALinkCutAndZoneANeverStops()
    {
        // Zone A: one build followed through the web frontend and through zone A's gateway for the whole test.
        var (zoneABuild, _) = await _lab.StartBuildAsync(_lab.A, Timeout);
        var zoneAWeb = WebsocketClient.StreamAsync(_lab.WebUri, $"{{\"uuid\": \"{zoneABuild.Id}\"}}", TimeSpan.FromMinutes(5));
        var zoneAFinger = FingerClient.FetchAsync(_lab.GatewayAPort, zoneABuild.Id + "\n", TimeSpan.FromMinutes(5));
        using var appending = new CancellationTokenSource();
        var appender = AppendUntilCancelledAsync(zoneABuild, appending.Token);

        // 1. Zone B's silo killed and started again: a zone B build streams through zone A again.
        var (beforeKill, _) = await _lab.StartBuildAsync(_lab.B, Timeout);
        await beforeKill.AppendAsync("registered before the silo was killed\n");
        await _lab.B.Silo.KillAsync();
        var restarted = Stopwatch.StartNew();
        _lab.B.Silo.Restart();
        await _lab.B.Silo.WaitForLogAsync(Timeout, "Finger gateway registered in ZooKeeper");
        await Eventually.UntilAsync(async () => (await _lab.RunningGatewaysAsync()).Any(g => g.StartsWith("zoneB ", StringComparison.Ordinal)),
            "zone B's gateway to be seen by zone A again", Timeout);
        output.WriteLine($"silo B restart: its gateway registered and seen by zone A {restarted.Elapsed.TotalSeconds:0.0} s after the restart began");
        await beforeKill.AppendAsync("after the restart\n");
        await beforeKill.FinishAsync();
        await Eventually.UntilAsync(
            () => StreamsExactlyAsync(beforeKill),
            $"zone B's build to stream byte-exact through zone A after the silo restart\n{_lab.DescribeProcesses()}", Timeout);
        output.WriteLine($"silo B restart: a zone B build streams through zone A again {restarted.Elapsed.TotalSeconds:0.0} s after the restart began");

        // 2. Zone B cut off from the WAN for 30 s.
        var (beforeCut, _) = await _lab.StartBuildAsync(_lab.B, Timeout);
        await beforeCut.AppendAsync("registered before the cut\n");
        await _lab.CutAsync(_lab.B, cut: true);
        var cut = Stopwatch.StartNew();
        TestBuild duringCut;
        try
        {
            duringCut = new TestBuild(_lab.B.JobRoot);
            await duringCut.AppendAsync("registered while zone B was cut off\n");
            await duringCut.FinishAsync();

            // Zone B goes on serving its own users: a build registered before the cut streams inside the zone.
            await beforeCut.AppendAsync("written during the cut\n");
            await beforeCut.FinishAsync();
            var inside = await NatLab.FingerInsideAsync(_lab.B.Ns!, "127.0.0.1", NatLab.FingerPort, beforeCut.Id);
            Assert.Equal(await File.ReadAllBytesAsync(beforeCut.LogPath), inside);

            // Zone A goes on too: a new zone A build registers and streams.
            var (zoneADuring, _) = await _lab.StartBuildAsync(_lab.A, Timeout);
            await zoneADuring.AppendAsync("zone A during zone B's cut\n");
            await zoneADuring.FinishAsync();
            Assert.Equal(await File.ReadAllBytesAsync(zoneADuring.LogPath), await FingerClient.FetchAsync(_lab.GatewayAPort, zoneADuring.Id + "\n", Timeout));
            Assert.Null(await _lab.ListedStateAsync(duringCut.Id));

            // The cut is the fault under test: it lasts its full length whatever else is done meanwhile.
            if (CutFor - cut.Elapsed is { TotalMilliseconds: > 0 } rest)
            {
                await Task.Delay(rest);
            }
        }
        finally
        {
            await _lab.CutAsync(_lab.B, cut: false);
        }

        var back = Stopwatch.StartNew();
        output.WriteLine($"zone B cut off for {cut.Elapsed.TotalSeconds:0.0} s");
        await Eventually.UntilAsync(async () => await _lab.ListedStateAsync(duringCut.Id) is not null,
            $"the build registered during the cut to be listed after the link returned\n{_lab.DescribeProcesses()}", Timeout);
        var listed = back.Elapsed;
        await Eventually.UntilAsync(
            () => StreamsExactlyAsync(duringCut),
            $"the build registered during the cut to stream byte-exact through zone A\n{_lab.DescribeProcesses()}", Timeout);
        var streamed = back.Elapsed;
        var (web, webReason, webText) = await WebsocketClient.StreamAsync(_lab.WebUri, $"{{\"uuid\": \"{duringCut.Id}\"}}", Timeout);
        Assert.True(web == WebSocketCloseStatus.NormalClosure, $"websocket of the build registered during the cut: {web} {webReason}");
        Assert.Equal(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(duringCut.LogPath)), webText);
        await Eventually.UntilAsync(async () => await _lab.ListedStateAsync(beforeCut.Id) == "finished",
            "the finish registered during the cut to land", Timeout);
        output.WriteLine($"link back: build registered during the cut listed after {listed.TotalSeconds:0.0} s, streamed through zone A after {streamed.TotalSeconds:0.0} s");

        // Zone A never stopped: both of its streams got every byte.
        await appending.CancelAsync();
        await appender;
        await zoneABuild.FinishAsync();
        var expected = await File.ReadAllBytesAsync(zoneABuild.LogPath);
        Assert.Equal(expected, await zoneAFinger);
        var (status, reason, text) = await zoneAWeb;
        Assert.True(status == WebSocketCloseStatus.NormalClosure, $"zone A's websocket: {status} {reason}");
        Assert.Equal(Encoding.UTF8.GetString(expected), text);
        Assert.Equal(0, await NatLab.CountAsync(_lab.B, "silo-ports-in"));
        output.WriteLine($"zone A's build: {expected.Length} bytes streamed without a break; outside attempts at zone B other than its gateway: {await NatLab.CountAsync(_lab.B, "other-in")}");
    }

    /// <summary>Whether a finished build streams byte-exact through zone A's finger gateway right now.</summary>
    private async Task<bool> StreamsExactlyAsync(TestBuild build)
    {
        var received = await FingerClient.FetchAsync(_lab.GatewayAPort, build.Id + "\n", Timeout);
        var expected = await File.ReadAllBytesAsync(build.LogPath);
        return received.AsSpan().SequenceEqual(expected);
    }

    private static async Task AppendUntilCancelledAsync(TestBuild build, CancellationToken cancellationToken)
    {
        // Bounded: one line every 100 ms until the test ends (a few minutes at most).
        for (var i = 0; i < 6000 && !cancellationToken.IsCancellationRequested; i++)
        {
            await build.AppendAsync($"zone A line {i} at {DateTimeOffset.UtcNow:O}\n");
            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
