namespace Zuul.LiveLog.Grains;

/// <summary>What happened to a build.</summary>
[GenerateSerializer, Alias("Orleans.Zuul.BuildEventKind")]
public enum BuildEventKind
{
    /// <summary>Started, or running again after it was lost.</summary>
    Started = 0,
    Finished = 1,

    /// <summary>Its executor's liveness lease lapsed while it ran (<see cref="BuildState.Lost"/>).</summary>
    Lost = 2,
}

/// <summary>A build lifecycle event, published by the build's grain on the <see cref="BuildEvents"/> stream.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Zuul.BuildEvent")]
public sealed record BuildEvent(
    [property: Id(0)] BuildEventKind Kind,
    [property: Id(1)] BuildInfo Build)
{
    /// <summary>The event a change to <paramref name="build"/>'s state means; null for a state no event announces.</summary>
    public static BuildEvent? For(BuildInfo build)
    {
        ArgumentNullException.ThrowIfNull(build);
        return build.State switch
        {
            BuildState.Running => new BuildEvent(BuildEventKind.Started, build),
            BuildState.Finished => new BuildEvent(BuildEventKind.Finished, build),
            BuildState.Lost => new BuildEvent(BuildEventKind.Lost, build),
            _ => null,
        };
    }
}
