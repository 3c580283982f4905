namespace Zuul.LiveLog.Grains;

/// <summary>
/// Where build records are kept. The build grain's type name is fixed here because it is part of the storage layout
/// (ZooKeeper: <c>/grains/build/&lt;uuid&gt;</c>), which every zone's cluster and the web frontend read.
/// </summary>
public static class BuildRecords
{
    /// <summary>The Orleans grain type of <c>BuildGrain</c>, and the name of its storage folder.</summary>
    public const string GrainType = "build";

    /// <summary>The tenant of a build whose executor named none, and of records written before tenants existed.</summary>
    public const string DefaultTenant = "default";

    /// <summary>The build as the API shows it; null while the record holds no build.</summary>
    public static BuildInfo? ToInfo(string uuid, BuildRecord r) =>
        r.State == BuildState.Unknown
            ? null
            : new BuildInfo(uuid, r.State, r.Zone, r.ExecutorHostname, r.LogPort, r.JobName, r.StartedAt, r.FinishedAt, r.Result, r.Tenant ?? DefaultTenant);
}
