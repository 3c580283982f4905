using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Zuul.Grains;
using Orleans.Zuul.Hosting;

namespace Orleans.Zuul.Executor;

/// <summary>
/// The one path from job sources to <see cref="IBuildRegistrar"/>: a serial queue, so a build's finish never overtakes
/// its start. Registrations begin once the host has started, when the log streamer's bound port is known.
/// </summary>
public sealed partial class BuildReporter : BackgroundService
{
    private readonly Channel<BuildEvent> _events = Channel.CreateUnbounded<BuildEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IBuildRegistrar _registrar;
    private readonly LogStreamEndpoint _endpoint;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<BuildReporter> _logger;
    private readonly string? _zone;
    private readonly string _hostname;

    public BuildReporter(
        IBuildRegistrar registrar,
        LogStreamEndpoint endpoint,
        IHostApplicationLifetime lifetime,
        IConfiguration configuration,
        IOptions<ExecutorOptions> options,
        ILogger<BuildReporter> logger)
    {
        _registrar = registrar;
        _endpoint = endpoint;
        _lifetime = lifetime;
        _logger = logger;
        _zone = ClusterSettings.FromConfiguration(configuration).Zone;
        _hostname = options.Value.Hostname is { Length: > 0 } h ? h : System.Net.Dns.GetHostName();
    }

    /// <summary>Queues "build started".</summary>
    public void Started(string uuid, string? jobName, DateTimeOffset startedAt) =>
        _events.Writer.TryWrite(new BuildEvent(uuid, true, jobName, null, startedAt));

    /// <summary>Queues "build finished".</summary>
    public void Finished(string uuid, string? result, DateTimeOffset finishedAt) =>
        _events.Writer.TryWrite(new BuildEvent(uuid, false, null, result, finishedAt));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStartedAsync(stoppingToken);
            var port = _endpoint.Port;
            LogInformationRegistering(_logger, _hostname, port, _zone);
            await foreach (var e in _events.Reader.ReadAllAsync(stoppingToken))
            {
                await ReportAsync(e, port, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Reports one event, retrying until it lands: a silo that cannot reach ZooKeeper (a cut link, an outage) fails
    /// the registration for as long as that lasts, and a registration given up then would be lost for good. Only a
    /// refusal of the request itself (bad arguments) is final. Later events wait, so a finish never overtakes its start.
    /// </summary>
    private async Task ReportAsync(BuildEvent e, int port, CancellationToken stoppingToken)
    {
        var what = e.IsStart ? "start" : "finish";
        var delay = RetryDelayMin;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (e.IsStart)
                {
                    await _registrar.StartedAsync(e.Uuid, new BuildStart(_zone, _hostname, port, e.JobName, e.At), stoppingToken);
                }
                else
                {
                    await _registrar.FinishedAsync(e.Uuid, new BuildFinish(e.Result, e.At), stoppingToken);
                }

                if (attempt > 1)
                {
                    LogInformationRegisteredAfterRetries(_logger, what, e.Uuid, attempt);
                }

                return;
            }
            catch (ArgumentException ex)
            {
                LogErrorRegistrationFailed(_logger, ex, what, e.Uuid);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (attempt == 1 || attempt % 10 == 0)
                {
                    LogWarningRegistrationRetrying(_logger, what, e.Uuid, attempt, delay, ex.GetType().Name, ex.Message);
                }
            }

            await Task.Delay(delay * (0.75 + (Random.Shared.NextDouble() / 2)), stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, RetryDelayMax.Ticks));
        }
    }

    /// <summary>First and longest wait between tries of one registration.</summary>
    internal static readonly TimeSpan RetryDelayMin = TimeSpan.FromMilliseconds(200);

    internal static readonly TimeSpan RetryDelayMax = TimeSpan.FromSeconds(5);

    private Task WhenStartedAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }

    private readonly record struct BuildEvent(string Uuid, bool IsStart, string? JobName, string? Result, DateTimeOffset At);

    [LoggerMessage(EventId = 1331, Level = LogLevel.Information, Message = "Registering builds as {Hostname}:{LogPort} in zone {Zone}")]
    private static partial void LogInformationRegistering(ILogger logger, string hostname, int logPort, string? zone);

    [LoggerMessage(EventId = 1333, Level = LogLevel.Warning, Message = "Could not register {What} of build {BuildId} (attempt {Attempt}, next in about {Delay}): {ErrorType}: {Error}; retrying until it lands")]
    private static partial void LogWarningRegistrationRetrying(ILogger logger, string what, string buildId, int attempt, TimeSpan delay, string errorType, string error);

    [LoggerMessage(EventId = 1334, Level = LogLevel.Information, Message = "Registered {What} of build {BuildId} after {Attempt} attempts")]
    private static partial void LogInformationRegisteredAfterRetries(ILogger logger, string what, string buildId, int attempt);

    [LoggerMessage(EventId = 1332, Level = LogLevel.Error, Message = "Could not register {What} of build {BuildId}: refused, not retried")]
    private static partial void LogErrorRegistrationFailed(ILogger logger, Exception exception, string what, string buildId);
}
