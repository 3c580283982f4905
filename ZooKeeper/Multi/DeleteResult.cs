namespace Orleans.Zuul.ZooKeeper;

public sealed record DeleteResult : OpResult;
