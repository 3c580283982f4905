using Microsoft.Extensions.Configuration;
using Zuul.LiveLog.Executor;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Tests.Executor;

public sealed class ExecutorOptionsTests
{
    [Fact]
    public void DefaultsWithAJobRootAreValid()
    {
        Assert.Empty(ExecutorOptionsValidator.Collect(new ExecutorOptions { JobRoot = "/tmp/x" }));
    }

    [Fact]
    public void EveryProblemIsReported()
    {
        var errors = ExecutorOptionsValidator.Collect(new ExecutorOptions
        {
            JobRoot = null,
            LogStreamPort = 70000,
            ListenAddress = "not-an-ip",
            Hostname = "bad host!",
            RequestTimeout = TimeSpan.Zero,
            FollowRecheckInterval = TimeSpan.FromHours(1),
            JobRootScanInterval = TimeSpan.Zero,
            AllowedClients = ["10.0.0.0/8", "nonsense"],
        });
        Assert.Contains(errors, e => e.Contains("Executor:JobRoot", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Executor:LogStreamPort", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Executor:ListenAddress", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Executor:Hostname", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Executor:RequestTimeout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Executor:FollowRecheckInterval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Executor:JobRootScanInterval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("nonsense", StringComparison.Ordinal));
        Assert.Equal(8, errors.Count);
    }

    [Fact]
    public void DemoKnobsAreCheckedOnlyInDemoMode()
    {
        var bad = new ExecutorOptions { DemoLinesPerSecond = 0, DemoBuildSeconds = -1, DemoConcurrentBuilds = 0, DemoKeepFinishedBuilds = -1 };
        Assert.Single(ExecutorOptionsValidator.Collect(bad)); // only the missing JobRoot
        bad.Demo = true;
        Assert.Equal(4, ExecutorOptionsValidator.Collect(bad).Count); // JobRoot is optional in demo mode
    }

    [Fact]
    public void BuildStopsWithEveryInvalidSettingListed()
    {
        var e = Assert.Throws<OptionsStartupException>(() => ExecutorApp.Build(
        [
            "--Executor:LogStreamPort", "-1",
            "--Executor:ListenAddress", "nowhere",
            "--Executor:RegisterBuilds", "false",
        ]));
        Assert.Equal(3, e.Errors.Count);
        Assert.Contains(e.Errors, m => m.Contains("Executor:JobRoot", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("Executor:LogStreamPort", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("Executor:ListenAddress", StringComparison.Ordinal));
    }

    [Fact]
    public void DemoModeDefaultsTheJobRoot()
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Executor:Demo"] = "true" })
            .Build();
        var options = ExecutorApp.ReadOptions(config);
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "orleans-zuul", "jobs"), options.JobRoot, StringComparison.Ordinal);
        Assert.Empty(ExecutorOptionsValidator.Collect(options));
    }
}
