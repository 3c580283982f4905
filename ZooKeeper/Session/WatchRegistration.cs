namespace Zuul.LiveLog.ZooKeeper.Session;

/// <summary>Arms a client-side watcher once the server has answered, following the Java client's rules.</summary>
internal sealed class WatchRegistration(WatchManager manager, WatchKind kind, string clientPath, Func<WatchedEvent, Task> watcher)
{
    public void OnReply(int err)
    {
        switch (kind)
        {
            // exists() watches a missing node for its creation, an existing one like getData() does.
            case WatchKind.Exist when err == 0:
                manager.Add(WatchKind.Data, clientPath, watcher);
                break;
            case WatchKind.Exist when err == (int)ZooKeeperErrorCode.NoNode:
                manager.Add(WatchKind.Exist, clientPath, watcher);
                break;
            case WatchKind.Data or WatchKind.Child when err == 0:
                manager.Add(kind, clientPath, watcher);
                break;
        }
    }
}
