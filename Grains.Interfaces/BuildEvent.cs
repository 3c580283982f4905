namespace Zuul.LiveLog.Grains;

/// <summary>What happened to a build.</summary>
[GenerateSerializer, Alias("Orleans.Zuul.BuildEventKind")]
public enum BuildEventKind
{
    Started = 0,
    Finished = 1,
}

/// <summary>A build lifecycle event, published by the build's grain on the <see cref="BuildEvents"/> stream.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Zuul.BuildEvent")]
public sealed record BuildEvent(
    [property: Id(0)] BuildEventKind Kind,
    [property: Id(1)] BuildInfo Build);
