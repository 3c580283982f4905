namespace Zuul.LiveLog.ZooKeeper.Protocol;

/// <summary>Reserved xids (ClientCnxn) for frames that are not matched against the pending queue.</summary>
internal static class Xid
{
    public const int Notification = -1;
    public const int Ping = -2;
    public const int Auth = -4;
    public const int SetWatches = -8;
}
