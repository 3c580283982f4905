namespace Zuul.LiveLog.ZooKeeper;

public sealed record SetDataResult(Stat Stat) : OpResult;
