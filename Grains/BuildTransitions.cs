namespace Zuul.LiveLog.Grains;

/// <summary>
/// How an executor's report moves a build record (README "Build states"). Zuul never runs a build id twice, so a
/// finished build stays finished; a lost one runs or finishes again when its executor reports it. Free of Orleans, so
/// the rule is unit-tested on its own.
/// </summary>
public static class BuildTransitions
{
    /// <summary>Applies the report to <paramref name="record"/>; false when it changes nothing (nothing to write or announce).</summary>
    public static bool Apply(BuildRecord record, BuildStart start, BuildFinish? finish)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(start);
        if (record.State == BuildState.Finished)
        {
            // A late or repeated report of a finished build (re-announce, a stale queue entry): nothing to do.
            return false;
        }

        var sameExecutor = record.State != BuildState.Unknown && record.ExecutorHostname == start.ExecutorHostname &&
                           record.LogPort == start.LogPort && record.Zone == start.Zone && record.Tenant == start.Tenant;
        if (finish is null && record.State == BuildState.Running && sameExecutor && record.Leased == start.Leased)
        {
            return false;
        }

        if (record.State == BuildState.Unknown)
        {
            // The first report's start time stays: an executor that comes back reports when it found the build again.
            record.StartedAt = start.StartedAt;
        }

        record.JobName ??= start.JobName;

        record.Zone = start.Zone;
        record.ExecutorHostname = start.ExecutorHostname;
        record.LogPort = start.LogPort;
        record.Leased = start.Leased;
        record.Tenant = start.Tenant;
        if (finish is null)
        {
            record.State = BuildState.Running;
            record.FinishedAt = null;
            record.Result = null;
        }
        else
        {
            record.State = BuildState.Finished;
            record.FinishedAt = finish.FinishedAt;
            record.Result = finish.Result;
        }

        return true;
    }
}
