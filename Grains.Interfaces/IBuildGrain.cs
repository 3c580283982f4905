namespace Zuul.LiveLog.Grains;

/// <summary>One build (key: Zuul build uuid, 32 lowercase hex). Knows where its log is served.</summary>
[Alias("Orleans.Zuul.IBuildGrain")]
public interface IBuildGrain : IGrainWithStringKey
{
    /// <summary>Records that the build runs on the given executor. Idempotent for the same executor.</summary>
    [Alias("Start")]
    Task StartAsync(BuildStart start);

    /// <summary>Marks the build finished. Idempotent.</summary>
    [Alias("Finish")]
    Task FinishAsync(BuildFinish finish);

    /// <summary>
    /// An executor's report of the build's latest state: running on it (<paramref name="finish"/> null) or finished.
    /// Idempotent: a report that changes nothing writes nothing and publishes no event (re-announcing after a reconnect),
    /// a finished build never runs again, and a lost one runs (or finishes) again. Refills the cluster's build list either way.
    /// </summary>
    [Alias("Report")]
    Task ReportAsync(BuildStart start, BuildFinish? finish);

    /// <summary>
    /// The liveness lease of the executor <paramref name="executorHostname"/>:<paramref name="logPort"/> lapsed: the
    /// build becomes <see cref="BuildState.Lost"/> if it is still running there and its executor holds leases.
    /// Returns whether it did.
    /// </summary>
    [Alias("MarkLost")]
    Task<bool> MarkLostAsync(string executorHostname, int logPort);

    /// <summary>The build's record, or null when the build is unknown.</summary>
    [Alias("Get")]
    Task<BuildInfo?> GetAsync();

    /// <summary>
    /// Where a streamer in <paramref name="sourceZone"/> connects to for this build's log
    /// (PROTOCOL.md section 3).
    /// </summary>
    [Alias("Resolve")]
    Task<StreamResolution> ResolveStreamAddressAsync(string? sourceZone);
}
