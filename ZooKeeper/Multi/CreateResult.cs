namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The created path (with any sequence suffix), relative to the chroot.</summary>
public sealed record CreateResult(string Path, Stat? Stat) : OpResult;
