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
