namespace Orleans.Zuul.Grains;

/// <summary>Where build lifecycle events are published: one Orleans stream for the whole cluster.</summary>
public static class BuildEvents
{
    /// <summary>The stream provider's name; silos and clients that use the events configure it.</summary>
    public const string StreamProvider = "builds";

    /// <summary>The stream's namespace.</summary>
    public const string Namespace = "build-events";

    /// <summary>The stream's key within <see cref="Namespace"/>.</summary>
    public const string Key = "all";

    /// <summary>Queues of the memory stream provider: one stream needs one (the default 8 would poll 8 queue grains).</summary>
    public const int Queues = 1;
}
