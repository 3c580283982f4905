using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Zuul.LiveLog.Executor;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Executor;

/// <summary>The job-root watcher and demo mode report builds through <see cref="Zuul.LiveLog.Executor.IBuildRegistrar"/>.</summary>
public sealed class JobSourceTests
{
    [Fact]
    public async Task JobRootWatcherRegistersStartAndFinish()
    {
        var registrar = new RecordingBuildRegistrar();
        var root = ExecutorHost.NewJobRoot();
        var early = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.Combine(root, early, "work", "logs"));
        Directory.CreateDirectory(Path.Combine(root, "not-a-build"));

        await using var host = await ExecutorHost.StartAsync(
            new Dictionary<string, string> { ["Executor:Hostname"] = "exec1.zone-a.example", ["Zone"] = "zone-a" },
            registrar,
            root);

        await Eventually.UntilAsync(() => registrar.Started.ContainsKey(early), "the build present at start-up to be registered");
        var start = registrar.Started[early];
        Assert.Equal("exec1.zone-a.example", start.ExecutorHostname);
        Assert.Equal(host.Port, start.LogPort);
        Assert.Equal("zone-a", start.Zone);
        Assert.Null(start.JobName);

        var build = host.NewBuild("log\n");
        File.WriteAllText(Path.Combine(build.DirectoryPath, "job-name"), "tox-py311\n");
        await Eventually.UntilAsync(() => registrar.Started.ContainsKey(build.Id), "a new build directory to be registered");
        Assert.False(registrar.Finished.ContainsKey(build.Id));

        build.Finish("FAILURE");
        await Eventually.UntilAsync(() => registrar.Finished.ContainsKey(build.Id), "the .done marker to finish the build");
        Assert.Equal("FAILURE", registrar.Finished[build.Id].Result);

        Directory.Delete(Path.Combine(root, early), recursive: true);
        await Eventually.UntilAsync(() => registrar.Finished.ContainsKey(early), "a removed directory to finish its build");
        Assert.Null(registrar.Finished[early].Result);

        Assert.DoesNotContain(registrar.Calls, c => c.Contains("not-a-build", StringComparison.Ordinal));
        var calls = registrar.Calls.ToList();
        Assert.True(calls.IndexOf("start:" + build.Id) < calls.IndexOf("finish:" + build.Id));
        Assert.Single(calls, c => c == "finish:" + build.Id);

        // After a lost and recovered cluster connection, every build still in the job root is reported again with its
        // latest state: a finished build as finished (one report), never as running first.
        var before = registrar.Calls.Count;
        host.App.Services.GetRequiredService<JobRootWatcher>().RequestReannounce();
        await Eventually.UntilAsync(() => registrar.Calls.Count(c => c == "finish:" + build.Id) == 2, "the build to be reported again");
        var again = registrar.Calls.Skip(before).ToList();
        Assert.Equal(["finish:" + build.Id], again);
        Assert.Equal(1, calls.Count(c => c == "start:" + early));
    }

    [Fact]
    public async Task AFullRegistrationQueueLogsAndLosesNothing()
    {
        // A cluster that does not answer, a queue of 3 builds and 12 builds starting (4 of them finishing meanwhile).
        var registrar = new RecordingBuildRegistrar { Blocked = new TaskCompletionSource() };
        await using var host = await ExecutorHost.StartAsync(
            new Dictionary<string, string> { ["Executor:RegistrationQueueLimit"] = "3" },
            registrar);
        var builds = Enumerable.Range(0, 12).Select(_ => host.NewBuild("log\n")).ToList();
        await host.Log.WaitForAsync("Registration queue full", "the full queue to be logged", TimeSpan.FromSeconds(20));
        var reporter = host.App.Services.GetRequiredService<BuildReporter>();
        Assert.True(reporter.Pending <= 3, $"{reporter.Pending} builds waiting, limit 3");
        for (var i = 0; i < 4; i++)
        {
            builds[i].Finish($"RESULT-{i}");
        }

        // The cluster answers again: every build lands, each with its latest state, none twice.
        registrar.Blocked.SetResult();
        await Eventually.UntilAsync(() => builds.All(b => registrar.Started.ContainsKey(b.Id)), "every build to be registered");
        await Eventually.UntilAsync(() => builds.Take(4).All(b => registrar.Finished.ContainsKey(b.Id)), "the finished builds to be registered finished");
        Assert.All(builds.Take(4).Select((b, i) => (b, i)), x => Assert.Equal($"RESULT-{x.i}", registrar.Finished[x.b.Id].Result));
        Assert.All(builds.Skip(4), b => Assert.False(registrar.Finished.ContainsKey(b.Id)));
        Assert.All(builds, b => Assert.True(registrar.Calls.Count(c => c == "start:" + b.Id) <= 1, $"build {b.Id} reported running twice"));
        // Logged once each time the queue fills, not for every refused offer (the job root is re-scanned every 100 ms).
        var logged = host.Log.Lines.Count(l => l.Contains("Registration queue full", StringComparison.Ordinal));
        Assert.True(logged < builds.Count, $"the full queue was logged {logged} times for {builds.Count} builds");
    }

    [Fact]
    public async Task JobRootWatcherReadsTheTenantFromZuulsInventoryAndDefaultsOtherwise()
    {
        var registrar = new RecordingBuildRegistrar();
        var root = ExecutorHost.NewJobRoot();
        await using var host = await ExecutorHost.StartAsync(new Dictionary<string, string> { ["Executor:DefaultTenant"] = "fallback" }, registrar, root);

        // Zuul writes the inventory before the build's log appears; here the directory is moved into place complete.
        string Prepare(string? inventory)
        {
            var id = Guid.NewGuid().ToString("N");
            var staging = Path.Combine(root, ".staging-" + id);
            Directory.CreateDirectory(Path.Combine(staging, "work", "logs"));
            if (inventory is not null)
            {
                Directory.CreateDirectory(Path.Combine(staging, "ansible"));
                File.WriteAllText(Path.Combine(staging, "ansible", "inventory.yaml"), inventory);
            }

            Directory.Move(staging, Path.Combine(root, id));
            return id;
        }

        var zuul = Prepare("all:\n  hosts:\n    node: {ansible_connection: local}\n  vars:\n    zuul:\n      tenant: example-tenant\n      job: tox\n");
        var none = Prepare(null);
        var broken = Prepare("all: [unclosed\n");
        var invalidName = Prepare("all:\n  vars:\n    zuul:\n      tenant: \"../etc\"\n");
        await Eventually.UntilAsync(() => new[] { zuul, none, broken, invalidName }.All(registrar.Started.ContainsKey), "the four builds to be registered");
        Assert.Equal("example-tenant", registrar.Started[zuul].Tenant);
        Assert.Equal("fallback", registrar.Started[none].Tenant);
        Assert.Equal("fallback", registrar.Started[broken].Tenant);
        Assert.Equal("fallback", registrar.Started[invalidName].Tenant);
    }

    [Fact]
    public async Task JobRootWatcherNoticesBuildsAndMarkersByNotificationAlone()
    {
        // The safety re-scan is at its maximum, 10 minutes away: everything below must come from file notifications.
        var registrar = new RecordingBuildRegistrar();
        var root = ExecutorHost.NewJobRoot();
        var early = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.Combine(root, early, "work", "logs"));
        await using var host = await ExecutorHost.StartAsync(
            new Dictionary<string, string> { ["Executor:JobRootScanInterval"] = "00:10:00" },
            registrar,
            root);
        await Eventually.UntilAsync(() => registrar.Started.ContainsKey(early), "the initial scan");

        // Prepared elsewhere and renamed into place, as Zuul's work/logs may otherwise appear after the build directory.
        var id = Guid.NewGuid().ToString("N");
        var staging = Path.Combine(root, ".staging-" + id);
        Directory.CreateDirectory(Path.Combine(staging, "work", "logs"));
        File.WriteAllText(Path.Combine(staging, "work", "logs", "job-output.txt"), "log\n");
        Directory.Move(staging, Path.Combine(root, id));
        await Eventually.UntilAsync(() => registrar.Started.ContainsKey(id), "the new build directory");

        File.WriteAllText(Path.Combine(root, id, "work", "logs", "job-output.txt.done"), "SUCCESS\n");
        await Eventually.UntilAsync(() => registrar.Finished.ContainsKey(id), "the marker");
        Assert.Equal("SUCCESS", registrar.Finished[id].Result);

        Directory.Delete(Path.Combine(root, early), recursive: true);
        await Eventually.UntilAsync(() => registrar.Finished.ContainsKey(early), "the removed directory");
        Assert.DoesNotContain(registrar.Started.Keys, k => k.StartsWith('.'));
    }

    [Fact]
    public async Task BuildsBeyondTheWatchedOnesFinishThroughTheRescan()
    {
        // At most MaxWatchedBuilds running builds have their log directory watched for the marker; the others must
        // still finish, found by the periodic re-scan (every 100 ms in ExecutorHost).
        var registrar = new RecordingBuildRegistrar();
        await using var host = await ExecutorHost.StartAsync(registrar: registrar);
        var builds = Enumerable.Range(0, JobRootWatcher.MaxWatchedBuilds + 8).Select(_ => host.NewBuild("log\n")).ToList();
        await Eventually.UntilAsync(() => builds.All(b => registrar.Started.ContainsKey(b.Id)), "every build to be registered");
        await Eventually.UntilAsync(() => host.Watches.Count == JobRootWatcher.MaxWatchedBuilds, $"{JobRootWatcher.MaxWatchedBuilds} builds to be watched (have {host.Watches.Count})");
        Assert.Equal(JobRootWatcher.MaxWatchedBuilds, host.Watches.Count); // never more

        for (var i = 0; i < builds.Count; i++)
        {
            builds[i].Finish($"RESULT-{i}");
        }

        await Eventually.UntilAsync(() => builds.All(b => registrar.Finished.ContainsKey(b.Id)), "every build to finish");
        Assert.All(builds.Select((b, i) => (b, i)), x => Assert.Equal($"RESULT-{x.i}", registrar.Finished[x.b.Id].Result));
        await Eventually.UntilAsync(() => host.Watches.Count == 0, "every watch to be released");
    }

    [Fact]
    public async Task DemoModeWritesColouredLogsAndRegistersAndFinishesBuilds()
    {
        var registrar = new RecordingBuildRegistrar();
        await using var host = await ExecutorHost.StartAsync(
            new Dictionary<string, string>
            {
                ["Executor:Demo"] = "true",
                ["Executor:DemoLinesPerSecond"] = "200",
                ["Executor:DemoBuildSeconds"] = "0.5",
                ["Executor:DemoConcurrentBuilds"] = "2",
                ["Executor:DemoKeepFinishedBuilds"] = "50",
            },
            registrar);

        await Eventually.UntilAsync(() => registrar.Finished.Count >= 3, "three demo builds to finish");
        // The demo runs its builds in two tenants, in turn.
        Assert.Equal(["demo-a", "demo-b"], registrar.Started.Values.Select(s => s.Tenant).Distinct().Order());
        var id = registrar.Finished.Keys.First();
        Assert.True(registrar.Started.ContainsKey(id));
        Assert.False(string.IsNullOrEmpty(registrar.Started[id].JobName));
        Assert.Contains(registrar.Finished[id].Result, new[] { "SUCCESS", "FAILURE" });

        using var client = host.Connect().Send(id + "\n");
        var log = Encoding.UTF8.GetString(await client.ReadToEndAsync());
        Assert.Contains("\u001b[0;32m", log, StringComparison.Ordinal);
        Assert.Contains("TASK [", log, StringComparison.Ordinal);
        Assert.Contains("PLAY RECAP", log, StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} \| ", log);
        Assert.True(log.Split('\n').Length > 50, "a demo build of 0.5 s at 200 lines/s writes about 100 lines");
    }

    [Fact]
    public async Task DemoModeStreamsABuildWhileItRunsAndPrunesOldOnes()
    {
        var registrar = new RecordingBuildRegistrar();
        await using var host = await ExecutorHost.StartAsync(
            new Dictionary<string, string>
            {
                ["Executor:Demo"] = "true",
                ["Executor:DemoLinesPerSecond"] = "100",
                ["Executor:DemoBuildSeconds"] = "0.4",
                ["Executor:DemoConcurrentBuilds"] = "1",
                ["Executor:DemoKeepFinishedBuilds"] = "1",
            },
            registrar);

        await Eventually.UntilAsync(() => registrar.Started.Keys.Any(k => !registrar.Finished.ContainsKey(k)), "a running demo build");
        var running = registrar.Started.Keys.First(k => !registrar.Finished.ContainsKey(k));
        using var client = host.Connect().Send(running + "\n");
        var log = Encoding.UTF8.GetString(await client.ReadToEndAsync());
        Assert.Contains("PLAY RECAP", log, StringComparison.Ordinal);

        await Eventually.UntilAsync(() => registrar.Finished.Count >= 4, "four demo builds to finish");
        var builds = Directory.GetDirectories(host.JobRoot).Select(Path.GetFileName).Where(n => n!.Length == 32).ToList();
        Assert.True(builds.Count <= 3, $"kept {builds.Count} build directories; expected at most 1 finished + 1 running (+1 in flight)");
    }
}
