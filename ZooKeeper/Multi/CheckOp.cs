namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Fails the multi unless the node's version is <see cref="Version"/>.</summary>
public sealed record CheckOp(string Path, int Version) : Op(Path);
