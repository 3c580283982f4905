namespace Zuul.LiveLog.Grains;

/// <summary>A build as the cluster knows it; it exists only in its <see cref="Tenant"/>.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Zuul.BuildInfo")]
public sealed record BuildInfo(
    [property: Id(0)] string Uuid,
    [property: Id(1)] BuildState State,
    [property: Id(2)] string? Zone,
    [property: Id(3)] string ExecutorHostname,
    [property: Id(4)] int LogPort,
    [property: Id(5)] string? JobName,
    [property: Id(6)] DateTimeOffset StartedAt,
    [property: Id(7)] DateTimeOffset? FinishedAt,
    [property: Id(8)] string? Result,
    [property: Id(9)] string Tenant = BuildRecords.DefaultTenant);
