using Zuul.LiveLog.ZooKeeper.Protocol;

namespace Zuul.LiveLog.ZooKeeper.Session;

/// <summary>What a connection reports back to the client that owns the session.</summary>
internal interface IConnectionOwner
{
    int NextXid();

    void OnReplyZxid(long zxid);

    void OnNotification(WatcherEvent notification);

    void OnAuthFailed();

    void OnSessionExpiredReply();
}
