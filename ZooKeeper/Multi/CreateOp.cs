namespace Zuul.LiveLog.ZooKeeper;

/// <summary>A create in a multi; a null <see cref="Acl"/> means the client's <see cref="ZooKeeperClientOptions.DefaultAcl"/>.</summary>
public sealed record CreateOp(string Path, ReadOnlyMemory<byte> Data, CreateMode Mode, IReadOnlyList<Acl>? Acl) : Op(Path);
