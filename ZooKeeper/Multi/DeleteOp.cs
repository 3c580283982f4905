namespace Zuul.LiveLog.ZooKeeper;

public sealed record DeleteOp(string Path, int Version) : Op(Path);
