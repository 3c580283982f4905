namespace Zuul.LiveLog.Grains;

/// <summary>What an executor reports when a build ends.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Zuul.BuildFinish")]
public sealed record BuildFinish(
    [property: Id(0)] string? Result,
    [property: Id(1)] DateTimeOffset FinishedAt);
