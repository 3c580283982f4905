namespace Zuul.LiveLog.ZooKeeper;

/// <summary>A node's data and metadata.</summary>
public sealed record GetDataResult(byte[] Data, Stat Stat);
