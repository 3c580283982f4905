using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Tests.Grains;

/// <summary>How an executor's report moves a build record: idempotent re-announces, finished stays finished, lost comes back.</summary>
public sealed class BuildTransitionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly BuildStart Start = new("zone-b", "exec1", 7900, "tox", T0, Leased: true);

    [Fact]
    public void AReAnnouncedRunningBuildChangesNothing()
    {
        var record = new BuildRecord();
        Assert.True(BuildTransitions.Apply(record, Start, null));
        Assert.Equal(BuildState.Running, record.State);
        Assert.False(BuildTransitions.Apply(record, Start with { StartedAt = T0.AddMinutes(5) }, null));
        Assert.Equal(T0, record.StartedAt);
    }

    [Fact]
    public void AFinishedBuildNeverRunsAgain()
    {
        var record = new BuildRecord();
        BuildTransitions.Apply(record, Start, new BuildFinish("SUCCESS", T0.AddMinutes(1)));
        Assert.Equal((BuildState.Finished, "SUCCESS"), (record.State, record.Result));
        Assert.False(BuildTransitions.Apply(record, Start, null));
        Assert.False(BuildTransitions.Apply(record, Start, new BuildFinish("SUCCESS", T0.AddMinutes(2))));
        Assert.Equal((BuildState.Finished, T0.AddMinutes(1)), (record.State, record.FinishedAt));
    }

    [Fact]
    public void ALostBuildRunsOrFinishesAgainWhenItsExecutorReportsIt()
    {
        var record = new BuildRecord();
        BuildTransitions.Apply(record, Start, null);
        record.State = BuildState.Lost;
        // Back with another port (a restarted executor on port 0): running again, start time kept.
        Assert.True(BuildTransitions.Apply(record, Start with { LogPort = 7901, StartedAt = T0.AddMinutes(3) }, null));
        Assert.Equal((BuildState.Running, 7901, T0), (record.State, record.LogPort, record.StartedAt));

        record.State = BuildState.Lost;
        Assert.True(BuildTransitions.Apply(record, Start, new BuildFinish("FAILURE", T0.AddMinutes(4))));
        Assert.Equal((BuildState.Finished, "FAILURE"), (record.State, record.Result));
    }

    [Fact]
    public void AFirstReportThatIsAlreadyFinishedRecordsTheExecutor()
    {
        var record = new BuildRecord();
        Assert.True(BuildTransitions.Apply(record, Start, new BuildFinish(null, T0.AddMinutes(1))));
        Assert.Equal((BuildState.Finished, "exec1", 7900, "zone-b", T0), (record.State, record.ExecutorHostname, record.LogPort, record.Zone, record.StartedAt));
    }
}
