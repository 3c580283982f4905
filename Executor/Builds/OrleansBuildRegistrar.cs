using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Zuul.Grains;
using Orleans.Zuul.Hosting.Telemetry;

namespace Orleans.Zuul.Executor;

/// <summary>
/// Registers builds with their <see cref="IBuildGrain"/>. While the cluster is unreachable, calls are retried with
/// jittered exponential backoff (250 ms doubling to 30 s) until they succeed or the executor stops.
/// </summary>
internal sealed partial class OrleansBuildRegistrar(IClusterClient client, ZuulMetrics metrics, ILogger<OrleansBuildRegistrar> logger) : IBuildRegistrar
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

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

    /// <summary>Connectivity problems are retried; anything else (a grain rejecting the call) is not.</summary>
    private static bool IsTransient(Exception e) =>
        e is TimeoutException or OrleansException or InvalidOperationException or IOException or System.Net.Sockets.SocketException;

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "Cannot register {What} of build {BuildId} with the cluster (attempt {Attempt}); retrying in {Delay}: {ErrorType}: {Error}")]
    private static partial void LogWarningRetrying(ILogger logger, string what, string buildId, int attempt, TimeSpan delay, string errorType, string error);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Information, Message = "Registered {What} of build {BuildId} with the cluster after {Attempt} attempts")]
    private static partial void LogInformationRecovered(ILogger logger, string what, string buildId, int attempt);
}
