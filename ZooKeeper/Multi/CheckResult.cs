namespace Orleans.Zuul.ZooKeeper;

public sealed record CheckResult : OpResult;
