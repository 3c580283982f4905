using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Executor;

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
    public void Started(string uuid, string? jobName, string tenant, DateTimeOffset startedAt) =>
        _events.Writer.TryWrite(new BuildEvent(uuid, true, jobName, null, startedAt, tenant));

    /// <summary>Queues "build finished".</summary>
    public void Finished(string uuid, string? result, DateTimeOffset finishedAt) =>
        _events.Writer.TryWrite(new BuildEvent(uuid, false, null, result, finishedAt, null));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStartedAsync(stoppingToken);
            var port = _endpoint.Port;
            LogInformationRegistering(_logger, _hostname, port, _zone);
            await foreach (var e in _events.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    if (e.IsStart)
                    {
                        await _registrar.StartedAsync(e.Uuid, new BuildStart(_zone, _hostname, port, e.JobName, e.At, e.Tenant), stoppingToken);
                    }
                    else
                    {
                        await _registrar.FinishedAsync(e.Uuid, new BuildFinish(e.Result, e.At), stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogErrorRegistrationFailed(_logger, ex, e.IsStart ? "start" : "finish", e.Uuid);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private Task WhenStartedAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }

    private readonly record struct BuildEvent(string Uuid, bool IsStart, string? JobName, string? Result, DateTimeOffset At, string? Tenant);

    [LoggerMessage(EventId = 1331, Level = LogLevel.Information, Message = "Registering builds as {Hostname}:{LogPort} in zone {Zone}")]
    private static partial void LogInformationRegistering(ILogger logger, string hostname, int logPort, string? zone);

    [LoggerMessage(EventId = 1332, Level = LogLevel.Error, Message = "Could not register {What} of build {BuildId}")]
    private static partial void LogErrorRegistrationFailed(ILogger logger, Exception exception, string what, string buildId);
}
