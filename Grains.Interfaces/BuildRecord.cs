namespace Zuul.LiveLog.Grains;

/// <summary>The persisted state of a <see cref="BuildGrain"/>.</summary>
[GenerateSerializer, Alias("Orleans.Zuul.BuildRecord")]
public sealed class BuildRecord
{
    [Id(0)] public BuildState State { get; set; }
    [Id(1)] public string? Zone { get; set; }
    [Id(2)] public string ExecutorHostname { get; set; } = string.Empty;
    [Id(3)] public int LogPort { get; set; }
    [Id(4)] public string? JobName { get; set; }
    [Id(5)] public DateTimeOffset StartedAt { get; set; }
    [Id(6)] public DateTimeOffset? FinishedAt { get; set; }
    [Id(7)] public string? Result { get; set; }

    /// <summary>The executor holds a liveness lease, so the build becomes lost when it lapses (<see cref="BuildStart.Leased"/>).</summary>
    [Id(8)] public bool Leased { get; set; }
    /// <summary>Zuul's tenant of the build; null in records written before tenants (read as <see cref="BuildRecords.DefaultTenant"/>).</summary>
    [Id(9)] public string? Tenant { get; set; }
}
