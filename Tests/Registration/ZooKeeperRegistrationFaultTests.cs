using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zuul.LiveLog.Executor;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.Tests.WebFrontend;
using Zuul.LiveLog.Tests.ZooKeeperOrleans;
using Zuul.LiveLog.ZooKeeper.Orleans;
using Xunit.Abstractions;

namespace Zuul.LiveLog.Tests.Registration;

/// <summary>
/// Registrations around ZooKeeper faults, with a real ZooKeeper, silo and executor: builds that start while ZooKeeper is
/// down for longer than the session timeout all land once it is back and none is lost; a re-announce after a reconnect
/// announces nothing that did not change; a killed executor's builds are lost, then running again when it is back.
/// </summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class ZooKeeperRegistrationFaultTests(ZooKeeperFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Zone = "zone1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(4); // ClusterHarness.ZooKeeperArgs
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "zk-registration-" + Guid.NewGuid().ToString("N"));
    private ClusterHarness _cluster = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        _cluster = new ClusterHarness(await fixture.NewChrootAsync());
    }

    public async Task DisposeAsync()
    {
        await fixture.Server.StartAsync(CancellationToken.None); // whatever happened, leave the server running
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task BuildsStartedWhileZooKeeperIsDownLongerThanTheSessionTimeoutAllLand()
    {
        var healthPort = TestPorts.Next();
        await _cluster.StartSiloAsync(Zone, "127.0.0.1", "--Health:Port", healthPort.ToString(CultureInfo.InvariantCulture), "--Health:ListenAddress", "127.0.0.1", "--Builds:ExecutorGrace", "00:00:01", "--Builds:LivenessCheckInterval", "00:00:01");
        await _cluster.StartExecutorAppAsync(_jobRoot, Zone, "127.0.0.1");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var health = new Uri($"http://127.0.0.1:{healthPort}/healthz");
        var before = await _cluster.StartBuildAsync(_jobRoot);

        await fixture.Server.StopAsync();
        var down = Stopwatch.StartNew();
        var during = Enumerable.Range(0, 6).Select(i => new TestBuild(_jobRoot, $"during-{i}")).ToList();
        await _cluster.Logs.WaitForAsync("Cannot register", "the executor to retry a registration", Timeout, "build");
        // Two of them, and the one from before, finish while ZooKeeper is away: they must land finished, never lost.
        before.Finish("SUCCESS");
        during[0].Finish("FAILURE");
        during[1].Finish("SUCCESS");
        await Eventually.UntilAsync(async () => (await HealthAsync(http, health)).Status == HttpStatusCode.ServiceUnavailable, "/healthz to say 503 while ZooKeeper is down", Timeout);
        // The fault's length is the point here: every session (silo, executor) expires while ZooKeeper is away.
        await Eventually.UntilAsync(() => down.Elapsed > 2.5 * SessionTimeout, $"ZooKeeper to stay down for {2.5 * SessionTimeout.TotalSeconds} s", Timeout);

        await fixture.Server.StartAsync(CancellationToken.None);
        var downFor = down.Elapsed;
        var up = Stopwatch.StartNew();
        await Eventually.UntilAsync(async () => (await HealthAsync(http, health)).Status == HttpStatusCode.OK, "/healthz to be healthy again", Timeout);
        var healthy = up.Elapsed;
        // Healthy means grain calls work: a build never seen activates (reading ZooKeeper) at once.
        var probe = Stopwatch.StartNew();
        Assert.Null(await _cluster.Grains.GetGrain<IBuildGrain>(Guid.NewGuid().ToString("N")).GetAsync().WaitAsync(TimeSpan.FromSeconds(5)));
        var firstCall = probe.Elapsed;

        var expected = new Dictionary<string, BuildState> { [before.Id] = BuildState.Finished, [during[0].Id] = BuildState.Finished, [during[1].Id] = BuildState.Finished };
        foreach (var b in during.Skip(2))
        {
            expected[b.Id] = BuildState.Running;
        }

        await Eventually.UntilAsync(async () => await StatesAsync(expected.Keys) is var states && expected.All(e => states[e.Key] == e.Value), "every build to be registered with its latest state", Timeout);
        var landed = up.Elapsed;

        // None becomes lost once the liveness checks (every second, grace 1 s) see ZooKeeper again: the executor's lease
        // node is there (its session survived a server restart, or it was re-created on a new session).
        await using (var observer = await ZooKeeperFixture.ConnectAsync(_cluster.ZooKeeper!))
        {
            await Eventually.UntilAsync(async () => (await observer.GetChildrenAsync(ZooKeeperPaths.Executors)).Children.Count == 1, "the executor's lease node back", Timeout);
        }

        var newBuild = await _cluster.StartBuildAsync(_jobRoot); // a build after everything settled, as a marker in time
        var states = await StatesAsync(expected.Keys);
        Assert.All(expected, e => Assert.Equal(e.Value, states[e.Key]));
        // And stored: what a grain answers from memory must be what ZooKeeper holds.
        await using (var store = await ZooKeeperFixture.ConnectAsync(_cluster.ZooKeeper!))
        {
            foreach (var (id, state) in expected)
            {
                var data = await store.GetDataAsync(ZooKeeperPaths.Grain(BuildRecords.GrainType, id));
                Assert.Equal(state, ZooKeeperGrainStorage.Deserialize<BuildRecord>(data.Data)!.State);
            }
        }

        Assert.False(_cluster.Logs.Contains(" lost: the liveness lease"), "a build was marked lost:\n" + string.Join('\n', _cluster.Logs.Lines.Where(l => l.Contains("lost", StringComparison.Ordinal))));
        Assert.NotNull(newBuild);
        output.WriteLine($"ZooKeeper down {downFor.TotalSeconds:0.0} s (session timeout {SessionTimeout.TotalSeconds} s) while {during.Count} builds started and 3 finished; /healthz healthy {healthy.TotalSeconds:0.0} s after it was back, first grain call then {firstCall.TotalMilliseconds:0} ms; every build registered {landed.TotalSeconds:0.0} s after; lost: 0 of {expected.Count}");
        Assert.True(landed < TimeSpan.FromSeconds(15), $"registrations landed {landed.TotalSeconds:0.0} s after ZooKeeper was back (backoff at most 5 s)");
        Assert.True(firstCall < TimeSpan.FromSeconds(3), $"a grain call took {firstCall.TotalSeconds:0.0} s although /healthz said healthy");
    }

    [Fact]
    public async Task AReannounceAfterAReconnectAnnouncesNothingThatDidNotChange()
    {
        await _cluster.StartSiloAsync(Zone);
        var web = await _cluster.StartWebFrontendAsync(null, "--Cluster:Zone", Zone);
        var executor = await _cluster.StartExecutorAppAsync(_jobRoot, Zone, "127.0.0.1");
        var running = await _cluster.StartBuildAsync(_jobRoot);
        var finished = await _cluster.StartBuildAsync(_jobRoot);
        finished.Finish("SUCCESS");
        await Eventually.UntilAsync(async () => (await StatesAsync([finished.Id]))[finished.Id] == BuildState.Finished, "the finished build registered", Timeout);
        await using var events = await SseClient.ConnectAsync(web, Timeout);

        // What the executor does after a reconnect: report every build in its job root again.
        executor.App.Services.GetRequiredService<JobRootWatcher>().RequestReannounce();
        await _cluster.Logs.WaitForAsync("Reporting all 2 builds in the job root again", "the re-announce", Timeout);
        var reporter = executor.App.Services.GetRequiredService<BuildReporter>();
        await Eventually.UntilAsync(() => reporter.Pending == 0, "the re-announce to be sent", Timeout);
        // A build started afterwards is announced; nothing before it may be about the re-announced builds.
        var marker = new TestBuild(_jobRoot, "marker");
        var seen = new List<string>();
        await events.NextAsync(e =>
        {
            var uuid = e.GetProperty("build").GetProperty("uuid").GetString()!;
            seen.Add($"{e.GetProperty("kind").GetString()}:{uuid}");
            return uuid == marker.Id;
        }, Timeout, "the marker build's start");
        Assert.Equal([$"started:{marker.Id}"], seen);
        Assert.Equal(BuildState.Running, (await StatesAsync([running.Id]))[running.Id]);
        Assert.Equal(BuildState.Finished, (await StatesAsync([finished.Id]))[finished.Id]);
    }

    [Fact]
    public async Task AKilledExecutorsBuildsAreLostWithinTheLeaseAndRunningAgainWhenItIsBack()
    {
        await _cluster.StartSiloAsync(Zone, "127.0.0.1", "--Builds:ExecutorGrace", "00:00:01");
        var port = TestPorts.Next();
        await using var executor = ComponentProcess.Start("executor", null, "Orleans.Zuul.Executor.dll",
        [
            .. _cluster.ClientArgs(), "--Zone", Zone,
            "--Executor:JobRoot", _jobRoot, "--Executor:LogStreamPort", port.ToString(CultureInfo.InvariantCulture),
            "--Executor:ListenAddress", "127.0.0.1", "--Executor:Hostname", "127.0.0.1", "--Executor:JobRootScanInterval", "00:00:00.200",
        ]);
        // A process starts slowly on a loaded machine: builds are registered once its host has started.
        await executor.WaitForLogAsync(StartTimeout, "Registering builds as");
        var builds = new List<TestBuild>();
        for (var i = 0; i < 3; i++)
        {
            builds.Add(await _cluster.StartBuildAsync(_jobRoot));
        }

        await executor.WaitForLogAsync(Timeout, "Liveness lease held in ZooKeeper");
        var ids = builds.Select(b => b.Id).ToList();
        await executor.KillAsync();
        var killed = Stopwatch.StartNew();
        await Eventually.UntilAsync(async () => (await StatesAsync(ids)).Values.All(s => s == BuildState.Lost), "the killed executor's builds to be lost", Timeout);
        var lostAfter = killed.Elapsed;

        // One build finished while its executor was away; the others still run when it comes back.
        builds[0].Finish("SUCCESS");
        executor.Restart();
        var back = Stopwatch.StartNew();
        await Eventually.UntilAsync(
            async () => await StatesAsync(ids) is var s && s[ids[0]] == BuildState.Finished && s[ids[1]] == BuildState.Running && s[ids[2]] == BuildState.Running,
            "the builds running (and finished) again", StartTimeout); // includes a process start
        var runningAfter = back.Elapsed;
        output.WriteLine($"executor SIGKILL: {ids.Count} builds lost {lostAfter.TotalSeconds:0.0} s after the kill (lease: session {SessionTimeout.TotalSeconds} s + grace 1 s); restarted: running/finished again {runningAfter.TotalSeconds:0.0} s after; builds lost for good: 0");
        Assert.True(lostAfter < SessionTimeout + TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(10), $"lost only {lostAfter.TotalSeconds:0.0} s after the kill");
    }

    private async Task<Dictionary<string, BuildState>> StatesAsync(IEnumerable<string> ids)
    {
        var states = new Dictionary<string, BuildState>();
        foreach (var id in ids)
        {
            try
            {
                states[id] = (await _cluster.Grains.GetGrain<IBuildGrain>(id).GetAsync().WaitAsync(TimeSpan.FromSeconds(5)))?.State ?? BuildState.Unknown;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                states[id] = BuildState.Unknown; // the cluster is still recovering
            }
        }

        return states;
    }

    private static async Task<(HttpStatusCode Status, string? Cluster)> HealthAsync(HttpClient http, Uri url)
    {
        try
        {
            using var response = await http.GetAsync(url);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return (response.StatusCode, json.RootElement.GetProperty("cluster").GetString());
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (HttpStatusCode.ServiceUnavailable, ex.GetType().Name);
        }
    }
}
