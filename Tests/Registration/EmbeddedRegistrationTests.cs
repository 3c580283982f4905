using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Runtime;
using Orleans.Storage;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Xunit.Abstractions;

namespace Zuul.LiveLog.Tests.Registration;

/// <summary>
/// Without ZooKeeper: the build list is soft state that refills (a silo lost, a directory grain gone), and an executor's
/// liveness lease is a grain lease whose lapse makes its builds lost until it is back.
/// </summary>
public sealed class EmbeddedRegistrationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "registration-" + Guid.NewGuid().ToString("N"));
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
    public async Task TheBuildListRefillsAfterTheSiloIsLost()
    {
        await _cluster.StartSiloAsync();
        var web = await _cluster.StartWebFrontendAsync();
        await _cluster.StartExecutorAppAsync(_jobRoot, null, "127.0.0.1");
        using var http = new HttpClient { BaseAddress = web, Timeout = TimeSpan.FromSeconds(10) };
        var running = new[] { await _cluster.StartBuildAsync(_jobRoot), await _cluster.StartBuildAsync(_jobRoot) };
        var finished = await _cluster.StartBuildAsync(_jobRoot);
        finished.Finish("SUCCESS");
        var expected = running.ToDictionary(b => b.Id, _ => "running");
        expected[finished.Id] = "finished";
        await Eventually.UntilAsync(async () => Matches(await ListAsync(http), expected), "the list before the loss", Timeout);

        // The only silo crashes: every grain and the whole list are gone. The executor's re-report must put them back.
        await _cluster.RestartPrimarySiloAsync();
        var restarted = Stopwatch.StartNew();
        await Eventually.UntilAsync(async () => Matches(await ListAsync(http), expected), "the build list to refill with every build", Timeout);
        output.WriteLine($"silo lost (embedded, in-memory state): build list refilled with {expected.Count} builds {restarted.Elapsed.TotalSeconds:0.0} s after the new silo started; builds missing: 0");
    }

    [Fact]
    public async Task AnUnchangedReportRefillsTheList()
    {
        await _cluster.StartSiloAsync();
        var grains = _cluster.Grains;
        var id = Guid.NewGuid().ToString("N");
        var start = new BuildStart(null, "127.0.0.1", 7900, "job", DateTimeOffset.UtcNow, Leased: false);
        await grains.GetGrain<IBuildGrain>(id).ReportAsync(start, null);
        Assert.Contains(await grains.GetGrain<IBuildDirectoryGrain>(0).ListAsync(), b => b.Uuid == id);

        // Every idle activation goes; the build's record stays in its storage, the list (soft state) is empty.
        var management = grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        Assert.DoesNotContain(await grains.GetGrain<IBuildDirectoryGrain>(0).ListAsync(), b => b.Uuid == id);

        // The same report again changes nothing in the build, and still puts it back in the list.
        await grains.GetGrain<IBuildGrain>(id).ReportAsync(start, null);
        var listed = Assert.Single(await grains.GetGrain<IBuildDirectoryGrain>(0).ListAsync(), b => b.Uuid == id);
        Assert.Equal(BuildState.Running, listed.State);
    }

    [Fact]
    public async Task AKilledExecutorsLeaseLapsesItsBuildsAreLostThenRunningAgain()
    {
        await _cluster.StartSiloAsync();
        var lease = TimeSpan.FromSeconds(3);
        var port = TestPorts.Next();
        await using var executor = await StartLeasedExecutorAsync(port);
        var builds = new List<TestBuild>();
        for (var i = 0; i < 3; i++)
        {
            builds.Add(await _cluster.StartBuildAsync(_jobRoot));
        }

        // The lease names the running builds: wait for a renewal after the last one started.
        var ids = builds.Select(b => b.Id).ToList();
        var leaseGrain = _cluster.Grains.GetGrain<IExecutorLeaseGrain>(ExecutorLease.KeyOf("127.0.0.1", port));
        await Eventually.UntilAsync(async () => await leaseGrain.GetAsync() is { } held && ids.All(held.RunningBuilds.Contains), "a renewal naming the three builds", Timeout);
        await executor.KillAsync();
        var killed = Stopwatch.StartNew();
        await Eventually.UntilAsync(async () => (await StatesAsync(ids)).All(s => s == BuildState.Lost), "the builds to be lost", Timeout);
        var lostAfter = killed.Elapsed;

        builds[0].Finish("FAILURE");
        executor.Restart();
        var back = Stopwatch.StartNew();
        await Eventually.UntilAsync(async () => await StatesAsync(ids) is [BuildState.Finished, BuildState.Running, BuildState.Running], "running (and finished) again", StartTimeout); // includes a process start
        output.WriteLine($"executor SIGKILL (embedded, lease {lease.TotalSeconds} s): lost {lostAfter.TotalSeconds:0.0} s after the kill; running/finished again {back.Elapsed.TotalSeconds:0.0} s after the restart; lost for good: 0");
        Assert.True(lostAfter < lease * 2 + TimeSpan.FromSeconds(5), $"lost only {lostAfter.TotalSeconds:0.0} s after the kill (lease {lease.TotalSeconds} s, checked every half lease)");
    }

    [Fact]
    public async Task ARecordLostWhileTheLeaseLivesOnIsReportedAgainAtTheNextRenewal()
    {
        // Without ZooKeeper, records live in memory storage: a silo that goes takes the records it held, while the
        // executor's lease may live on in another silo, so no lapse tells the executor. Here the build's record is
        // removed (storage cleared, activation deactivated) and the lease stays: the next renewal names the build, the
        // cluster has no record of it, and the executor reports it again.
        var silo = await _cluster.StartSiloAsync();
        var port = TestPorts.Next();
        await using var executor = await StartLeasedExecutorAsync(port);
        var build = await _cluster.StartBuildAsync(_jobRoot);
        var grain = _cluster.Grains.GetGrain<IBuildGrain>(build.Id);
        var leaseGrain = _cluster.Grains.GetGrain<IExecutorLeaseGrain>(ExecutorLease.KeyOf("127.0.0.1", port));
        await Eventually.UntilAsync(async () => await leaseGrain.GetAsync() is { } held && held.RunningBuilds.Contains(build.Id), "a renewal naming the build", Timeout);
        Assert.Equal(BuildState.Running, (await grain.GetAsync())?.State);

        // Storage first: an activation made before the clear keeps the old record only until it is deactivated.
        var storage = silo.App.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Builds);
        var state = new GrainState<BuildRecord>(new BuildRecord());
        await storage.ReadStateAsync(BuildRecords.GrainType, grain.GetGrainId(), state);
        Assert.Equal(BuildState.Running, state.State?.State);
        await storage.ClearStateAsync(BuildRecords.GrainType, grain.GetGrainId(), state);
        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

        await executor.WaitForLogAsync(Timeout, "The cluster has no record of 1 running builds");
        await Eventually.UntilAsync(async () => (await grain.GetAsync())?.State == BuildState.Running, "the build to be running again", Timeout);
        Assert.Contains(_cluster.Logs.Lines, l => l.Contains("runs 1 builds the cluster has no record of", StringComparison.Ordinal) && l.Contains(build.Id, StringComparison.Ordinal));
        await build.FinishAsync();
    }

    /// <summary>An executor process on <paramref name="port"/> with a 3 s lease, once it registers builds.</summary>
    private async Task<ComponentProcess> StartLeasedExecutorAsync(int port)
    {
        var executor = ComponentProcess.Start("executor-embedded", null, "Orleans.Zuul.Executor.dll",
        [
            .. _cluster.ClientArgs(),
            "--Executor:JobRoot", _jobRoot, "--Executor:LogStreamPort", port.ToString(CultureInfo.InvariantCulture),
            "--Executor:ListenAddress", "127.0.0.1", "--Executor:Hostname", "127.0.0.1", "--Executor:JobRootScanInterval", "00:00:00.200",
            "--Executor:LeaseDuration", "00:00:03",
        ]);
        // A process starts slowly on a loaded machine: builds are registered once its host has started.
        try
        {
            await executor.WaitForLogAsync(StartTimeout, "Registering builds as");
            return executor;
        }
        catch
        {
            await executor.DisposeAsync();
            throw;
        }
    }

    private async Task<List<BuildState>> StatesAsync(List<string> ids)
    {
        var states = new List<BuildState>();
        foreach (var id in ids)
        {
            states.Add((await _cluster.Grains.GetGrain<IBuildGrain>(id).GetAsync())?.State ?? BuildState.Unknown);
        }

        return states;
    }

    private static async Task<Dictionary<string, string>> ListAsync(HttpClient http)
    {
        try
        {
            var list = await http.GetFromJsonAsync<JsonElement>($"/api/tenant/{BuildRecords.DefaultTenant}/builds");
            return list.EnumerateArray().ToDictionary(b => b.GetProperty("uuid").GetString()!, b => b.GetProperty("state").GetString()!);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return [];
        }
    }

    private static bool Matches(Dictionary<string, string> listed, Dictionary<string, string> expected) =>
        expected.All(e => listed.TryGetValue(e.Key, out var state) && state == e.Value);
}
