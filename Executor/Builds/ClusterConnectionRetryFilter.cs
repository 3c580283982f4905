using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// Keeps the executor's Orleans client trying to reach the cluster (backoff up to 30 s) instead of failing start-up:
/// the log streamer serves readers meanwhile, and registrations wait in order.
/// </summary>
internal sealed partial class ClusterConnectionRetryFilter(ILogger<ClusterConnectionRetryFilter> logger) : IClientConnectionRetryFilter
{
    private int _attempt;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempt);
        var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, Math.Min(attempt - 1, 10))));
        LogWarningClusterUnreachable(logger, attempt, delay, exception.Message);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }

    [LoggerMessage(EventId = 1321, Level = LogLevel.Warning, Message = "Orleans cluster not reachable yet (attempt {Attempt}); retrying in {Delay}. Builds are registered once it is. {Error}")]
    private static partial void LogWarningClusterUnreachable(ILogger logger, int attempt, TimeSpan delay, string error);
}
