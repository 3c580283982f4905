namespace Zuul.LiveLog.ZooKeeper;

public sealed record CheckResult : OpResult;
