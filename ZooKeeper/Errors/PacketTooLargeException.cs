namespace Orleans.Zuul.ZooKeeper;

/// <summary>A request would exceed the packet limit (jute.maxbuffer); it was not sent.</summary>
public sealed class PacketTooLargeException(string? path, int size, int limit)
    : ZooKeeperException(
        ZooKeeperErrorCode.MarshallingError,
        path,
        $"Request of {size} bytes exceeds the maximum packet size of {limit} bytes (jute.maxbuffer)")
{
    public int Size { get; } = size;

    public int Limit { get; } = limit;
}
