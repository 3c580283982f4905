namespace Zuul.LiveLog.ZooKeeper;

/// <summary>
/// Retries an operation while the failure is transient (connection loss, operation timeout), as kazoo's KazooRetry does.
/// After a connection loss a write may or may not have been applied: make retried operations idempotent
/// (e.g. treat NodeExists on a retried create as success).
/// </summary>
public static class ZooKeeperRetry
{
    public static bool IsTransient(Exception exception) =>
        exception is ConnectionLossException or OperationTimeoutException or SessionMovedException or RequestTimeoutException;

    public static async Task<T> RunAsync<T>(
        Func<CancellationToken, Task<T>> operation,
        ZooKeeperRetryPolicy? policy = null,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        policy ??= ZooKeeperRetryPolicy.Default;
        time ??= TimeProvider.System;
        var started = time.GetTimestamp();
        var delay = policy.InitialDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsTransient(exception) &&
                                              attempt < policy.MaxAttempts &&
                                              time.GetElapsedTime(started) + delay < policy.Deadline)
            {
                // Full jitter between half and all of the delay, so clients cut off together do not retry together.
                var wait = delay * (0.5 + (Random.Shared.NextDouble() / 2));
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(policy.MaxDelay.Ticks, delay.Ticks * 2));
            }
        }
    }

    public static Task RunAsync(
        Func<CancellationToken, Task> operation,
        ZooKeeperRetryPolicy? policy = null,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(
            async token =>
            {
                await operation(token).ConfigureAwait(false);
                return true;
            },
            policy,
            time,
            cancellationToken);
}
