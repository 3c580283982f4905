using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// The one path from job sources to <see cref="IBuildRegistrar"/>: a queue that keeps the latest state of each build
/// (a build that started and finished while the cluster was away is one report, "finished"), so a report carries
/// everything the cluster needs and reports of different builds never depend on each other. Bounded by
/// <see cref="ExecutorOptions.RegistrationQueueLimit"/> distinct builds: a report of a new build beyond it is refused
/// (<see cref="TryReport"/> false, logged once per episode) and the job source keeps it to offer again after
/// <see cref="RoomAvailable"/>, so nothing is dropped. Registrations begin once the host has started, when the log
/// streamer's bound port is known; one that fails for good is logged and the next goes on.
/// </summary>
public sealed partial class BuildReporter : BackgroundService
{
    private readonly IBuildRegistrar _registrar;
    private readonly LogStreamEndpoint _endpoint;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<BuildReporter> _logger;
    private readonly string? _zone;
    private readonly string _hostname;
    private readonly int _limit;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Report> _pending = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private TaskCompletionSource _queued = NewSignal();
    private int _refused;

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
        _limit = options.Value.RegistrationQueueLimit;
    }

    /// <summary>Raised (on the reporter's loop) when a full queue has room again: refused reports may be offered again.</summary>
    public event Action? RoomAvailable;

    /// <summary>Builds waiting to be registered.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Queues the build's latest state: running (<paramref name="finishedAt"/> null) or finished. Replaces a report of
    /// the same build still waiting (a finish is never replaced by a start). False when the build is not queued yet and
    /// the queue is full: the caller keeps it and offers it again after <see cref="RoomAvailable"/>.
    /// </summary>
    public bool TryReport(string uuid, string? jobName, DateTimeOffset startedAt, string? result = null, DateTimeOffset? finishedAt = null, string? tenant = null)
    {
        var report = new Report(jobName, startedAt, finishedAt is { } at ? new BuildFinish(result, at) : null, tenant);
        int waiting;
        lock (_lock)
        {
            if (_pending.TryGetValue(uuid, out var queued))
            {
                _pending[uuid] = report.Finish is null && queued.Finish is not null ? queued : report;
                return true;
            }

            if (_pending.Count >= _limit)
            {
                if (_refused++ > 0)
                {
                    return false;
                }

                waiting = _pending.Count;
            }
            else
            {
                _pending[uuid] = report;
                _order.Enqueue(uuid);
                _queued.TrySetResult();
                return true;
            }
        }

        LogWarningQueueFull(_logger, waiting, uuid);
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStartedAsync(stoppingToken);
            var port = _endpoint.Port;
            LogInformationRegistering(_logger, _hostname, port, _zone, _limit);
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!TryTake(out var uuid, out var report, out var signal))
                {
                    await signal.WaitAsync(stoppingToken);
                    continue;
                }

                try
                {
                    var start = new BuildStart(_zone, _hostname, port, report.JobName, report.StartedAt, Leased: true, Tenant: report.Tenant);
                    await _registrar.ReportAsync(uuid, start, report.Finish, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Permanent (the registrar retries everything else): this build is not registered; the others go on.
                    LogErrorRegistrationFailed(_logger, ex, report.Finish is null ? "start" : "finish", uuid);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The oldest waiting build, or the signal of the next one; tells refused sources when there is room again.</summary>
    private bool TryTake(out string uuid, out Report report, out Task signal)
    {
        int refused;
        lock (_lock)
        {
            if (!_order.TryDequeue(out uuid!))
            {
                if (_queued.Task.IsCompleted)
                {
                    _queued = NewSignal();
                }

                report = default;
                signal = _queued.Task;
                return false;
            }

            _pending.Remove(uuid, out report);
            signal = Task.CompletedTask;
            // Refused sources are told once the queue is half empty, not at every free slot: each offer re-scans the job root.
            refused = _refused > 0 && _pending.Count <= _limit / 2 ? _refused : 0;
            if (refused > 0)
            {
                _refused = 0;
            }
        }

        if (refused > 0)
        {
            LogInformationRoom(_logger, refused);
            RoomAvailable?.Invoke();
        }

        return true;
    }

    private Task WhenStartedAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly record struct Report(string? JobName, DateTimeOffset StartedAt, BuildFinish? Finish, string? Tenant);

    [LoggerMessage(EventId = 1331, Level = LogLevel.Information, Message = "Registering builds as {Hostname}:{LogPort} in zone {Zone} (at most {Limit} waiting)")]
    private static partial void LogInformationRegistering(ILogger logger, string hostname, int logPort, string? zone, int limit);

    [LoggerMessage(EventId = 1332, Level = LogLevel.Error, Message = "Could not register {What} of build {BuildId}; it failed for good, later registrations go on")]
    private static partial void LogErrorRegistrationFailed(ILogger logger, Exception exception, string what, string buildId);

    [LoggerMessage(EventId = 1333, Level = LogLevel.Warning, Message = "Registration queue full ({Waiting} builds waiting): build {BuildId} and any other new build wait in the job root until there is room")]
    private static partial void LogWarningQueueFull(ILogger logger, int waiting, string buildId);

    [LoggerMessage(EventId = 1334, Level = LogLevel.Information, Message = "Registration queue has room again; {Refused} refused reports are offered again")]
    private static partial void LogInformationRoom(ILogger logger, int refused);
}
