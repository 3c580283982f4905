namespace Zuul.LiveLog.ZooKeeper;

/// <summary>One operation of an atomic <see cref="ZooKeeperClient.MultiAsync"/>.</summary>
public abstract record Op(string Path)
{
    public static Op Check(string path, int version) => new CheckOp(path, version);

    public static Op Create(string path, ReadOnlyMemory<byte> data = default, CreateMode mode = CreateMode.Persistent, IReadOnlyList<Acl>? acl = null) =>
        new CreateOp(path, data, mode, acl);

    public static Op SetData(string path, ReadOnlyMemory<byte> data, int version = -1) => new SetDataOp(path, data, version);

    public static Op Delete(string path, int version = -1) => new DeleteOp(path, version);
}
