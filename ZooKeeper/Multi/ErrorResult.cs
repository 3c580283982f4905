namespace Zuul.LiveLog.ZooKeeper;

/// <summary>In a failed multi: <see cref="ZooKeeperErrorCode.Ok"/> for operations before the failing one,
/// its error for the failing one, <see cref="ZooKeeperErrorCode.RuntimeInconsistency"/> after it.</summary>
public sealed record ErrorResult(ZooKeeperErrorCode Code) : OpResult;
