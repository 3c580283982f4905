namespace Zuul.LiveLog.ZooKeeper;

public sealed record DeleteResult : OpResult;
