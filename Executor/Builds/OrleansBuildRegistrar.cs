using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// Registers builds with their <see cref="IBuildGrain"/>. While the cluster or its ZooKeeper is unreachable, calls are
/// retried with jittered exponential backoff (250 ms doubling to 5 s, so a registration lands within seconds of the
/// outage's end) until they succeed or the executor stops.
/// </summary>
internal sealed partial class OrleansBuildRegistrar(IClusterClient client, ZuulMetrics metrics, ILogger<OrleansBuildRegistrar> logger) : IBuildRegistrar
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    public Task StartedAsync(string uuid, BuildStart start, CancellationToken cancellationToken) =>
        RetryAsync("start", uuid, () => client.GetGrain<IBuildGrain>(uuid).StartAsync(start), cancellationToken);

    public Task FinishedAsync(string uuid, BuildFinish finish, CancellationToken cancellationToken) =>
        RetryAsync("finish", uuid, () => client.GetGrain<IBuildGrain>(uuid).FinishAsync(finish), cancellationToken);

    private async Task RetryAsync(string what, string uuid, Func<Task> call, CancellationToken cancellationToken)
    {
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call().WaitAsync(cancellationToken);
                metrics.Registered(what);
                if (attempt > 1)
                {
                    LogInformationRecovered(logger, what, uuid, attempt);
                }

                return;
            }
            catch (BuildRegistrationRefusedException refused)
            {
                // The cluster's answer, not a connectivity problem: trying again would be refused again.
                metrics.RegistrationFailed(what, refused);
                LogErrorRefused(logger, what, uuid, refused.Message);
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                metrics.RegistrationFailed(what, e);
                if (!IsTransient(e))
                {
                    throw;
                }

                var wait = delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)(delay.TotalMilliseconds / 4) + 1));
                LogWarningRetrying(logger, what, uuid, attempt, wait, e.GetType().Name, e.Message);
                await Task.Delay(wait, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }

    /// <summary>
    /// Everything but a bad request is retried. A silo that cannot reach ZooKeeper (an outage, a zone cut off) fails
    /// the call with its storage's exception, which may not even deserialize here (a codec-not-found error): giving up
    /// on it would lose the build for good. Refusals (<see cref="BuildRegistrationRefusedException"/>) end earlier.
    /// </summary>
    private static bool IsTransient(Exception e) => e is not ArgumentException;

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "Cannot register {What} of build {BuildId} with the cluster (attempt {Attempt}); retrying in {Delay}: {ErrorType}: {Error}")]
    private static partial void LogWarningRetrying(ILogger logger, string what, string buildId, int attempt, TimeSpan delay, string errorType, string error);

    [LoggerMessage(EventId = 1313, Level = LogLevel.Error, Message = "The cluster refused the {What} of build {BuildId}: {Reason}")]
    private static partial void LogErrorRefused(ILogger logger, string what, string buildId, string reason);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Information, Message = "Registered {What} of build {BuildId} with the cluster after {Attempt} attempts")]
    private static partial void LogInformationRecovered(ILogger logger, string what, string buildId, int attempt);
}
