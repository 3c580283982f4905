namespace Zuul.LiveLog.ZooKeeper;

/// <summary>How <see cref="ZooKeeperRetry"/> retries: exponential back-off with jitter, bounded by attempts and a deadline.</summary>
public sealed class ZooKeeperRetryPolicy
{
    public static ZooKeeperRetryPolicy Default { get; } = new();

    public int MaxAttempts { get; init; } = 10;

    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>No new attempt starts after this much time has passed since the first.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(30);
}
