namespace Orleans.Zuul.ZooKeeper.Session;

internal enum WatchKind
{
    Data,
    Exist,
    Child,
}
