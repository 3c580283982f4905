namespace Zuul.LiveLog.ZooKeeper;

/// <summary>How a node is created; the values are the wire flags.</summary>
public enum CreateMode
{
    Persistent = 0,
    Ephemeral = 1,
    PersistentSequential = 2,
    EphemeralSequential = 3,

    /// <summary>Persistent, removed by the server some time after its last child goes away.</summary>
    Container = 4,
}
