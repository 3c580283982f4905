namespace Zuul.LiveLog.Grains;

/// <summary>What an executor reports when a build starts on it.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Zuul.BuildStart")]
public sealed record BuildStart(
    [property: Id(0)] string? Zone,
    [property: Id(1)] string ExecutorHostname,
    [property: Id(2)] int LogPort,
    [property: Id(3)] string? JobName,
    [property: Id(4)] DateTimeOffset StartedAt);
