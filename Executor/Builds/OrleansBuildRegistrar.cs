using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// Registers builds with their <see cref="IBuildGrain"/>, and is the one place that retries: while the cluster or its
/// ZooKeeper is unreachable, a report is retried with jittered exponential backoff (250 ms doubling to 5 s, so it
/// lands within seconds of the outage's end, however long that was) until it succeeds or the executor stops.
/// A permanent failure (<see cref="RegistrationErrors.IsTransient"/>) is thrown after one attempt, so the reporter goes on with the next build.
/// </summary>
internal sealed partial class OrleansBuildRegistrar(IClusterClient client, ZuulMetrics metrics, ILogger<OrleansBuildRegistrar> logger) : IBuildRegistrar
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>One attempt at most this long: a silo waiting for its ZooKeeper would otherwise hold it for Orleans' 30 s.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    public async Task ReportAsync(string uuid, BuildStart start, BuildFinish? finish, CancellationToken cancellationToken)
    {
        var what = finish is null ? "start" : "finish";
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.GetGrain<IBuildGrain>(uuid).ReportAsync(start, finish).WaitAsync(AttemptTimeout, cancellationToken);
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
                if (!RegistrationErrors.IsTransient(e))
                {
                    throw;
                }

                var wait = delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)(delay.TotalMilliseconds / 4) + 1));
                LogWarningRetrying(logger, what, uuid, attempt, wait, Describe(e), e.Message);
                await Task.Delay(wait, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }

    private static string Describe(Exception e) => e is GrainCallException { ErrorType.Length: > 0 } call ? call.ErrorType : e.GetType().Name;

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "Cannot register {What} of build {BuildId} with the cluster (attempt {Attempt}); retrying in {Delay}: {ErrorType}: {Error}")]
    private static partial void LogWarningRetrying(ILogger logger, string what, string buildId, int attempt, TimeSpan delay, string errorType, string error);

    [LoggerMessage(EventId = 1313, Level = LogLevel.Error, Message = "The cluster refused the {What} of build {BuildId}: {Reason}")]
    private static partial void LogErrorRefused(ILogger logger, string what, string buildId, string reason);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Information, Message = "Registered {What} of build {BuildId} with the cluster after {Attempt} attempts")]
    private static partial void LogInformationRecovered(ILogger logger, string what, string buildId, int attempt);
}
