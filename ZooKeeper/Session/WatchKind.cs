namespace Zuul.LiveLog.ZooKeeper.Session;

internal enum WatchKind
{
    Data,
    Exist,
    Child,
}
