namespace Zuul.LiveLog.Grains;

/// <summary>Where build lifecycle events are published: one Orleans stream for the whole cluster.</summary>
public static class BuildEvents
{
    /// <summary>
    /// The stream provider's name; silos and clients that use the events configure it. Orleans keeps a stream
    /// provider's pub-sub state in the grain storage of the same name when there is one, else in
    /// <see cref="PubSubStorage"/>; this name is no storage's, so the subscriptions stay in memory on purpose (they
    /// were written to the ZooKeeper build storage, which cannot read them back, while both were called "builds").
    /// </summary>
    public const string StreamProvider = "build-events";

    /// <summary>Where the pub-sub state of <see cref="StreamProvider"/> lives: Orleans' default name, a memory storage on each silo.</summary>
    public const string PubSubStorage = "PubSubStore";

    /// <summary>The stream's namespace.</summary>
    public const string Namespace = "build-events";

    /// <summary>The stream's key within <see cref="Namespace"/>.</summary>
    public const string Key = "all";

    /// <summary>Queues of the memory stream provider: one stream needs one (the default 8 would poll 8 queue grains).</summary>
    public const int Queues = 1;
}
