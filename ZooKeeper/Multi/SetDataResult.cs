namespace Orleans.Zuul.ZooKeeper;

public sealed record SetDataResult(Stat Stat) : OpResult;
