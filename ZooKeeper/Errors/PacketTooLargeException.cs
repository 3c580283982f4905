namespace Zuul.LiveLog.ZooKeeper;

/// <summary>A request (not sent) or its reply (skipped) exceeds the packet limit (jute.maxbuffer); the session is unaffected.</summary>
public sealed class PacketTooLargeException(string? path, int size, int limit)
    : ZooKeeperException(
        ZooKeeperErrorCode.MarshallingError,
        path,
        $"Packet of {size} bytes exceeds the maximum packet size of {limit} bytes (jute.maxbuffer)")
{
    public int Size { get; } = size;

    public int Limit { get; } = limit;
}
