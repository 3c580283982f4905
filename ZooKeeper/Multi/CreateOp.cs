namespace Orleans.Zuul.ZooKeeper;

public sealed record CreateOp(string Path, ReadOnlyMemory<byte> Data, CreateMode Mode, IReadOnlyList<Acl> Acl) : Op(Path);
