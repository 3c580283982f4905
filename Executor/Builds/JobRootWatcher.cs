using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// Job source that watches <see cref="ExecutorOptions.JobRoot"/> (PROTOCOL.md section 2): a new <c>&lt;hex-id&gt;</c>
/// directory is a started build (directories present at start-up included); <c>work/logs/job-output.txt.done</c>
/// appearing, or the directory going away, is its finish. Directory events wake it at once, and so does a marker
/// appearing: each running build's <c>work/logs</c> is watched (<see cref="MarkerWatches"/>, at most
/// <see cref="MaxWatchedBuilds"/> builds). A periodic re-scan (<see cref="ExecutorOptions.JobRootScanInterval"/>) catches
/// anything a notification missed. The build's tenant is read from Zuul's inventory (<see cref="JobInventory"/>). Optional files of our own: <c>&lt;id&gt;/job-name</c> (the job's name) and the
/// marker's first line (the result). The parts: this file (the loop and its wake-ups), <c>.Scan</c> (what a scan
/// reports, with the marker's grace), <c>.Reannounce</c> (reporting everything again).
/// </summary>
public sealed partial class JobRootWatcher : BackgroundService
{
    /// <summary>Optional file in a job directory naming the job (first line).</summary>
    public const string JobNameFile = "job-name";

    /// <summary>
    /// Running builds whose log directory is watched for the marker; beyond this, the re-scan alone notices it.
    /// Each watched build costs one inotify instance (Linux allows 128 per user by default), shared with its streams.
    /// </summary>
    public const int MaxWatchedBuilds = 32;

    private readonly BuildReporter _reporter;
    private readonly ZuulMetrics _metrics;
    private readonly IOptions<ExecutorOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<JobRootWatcher> _logger;
    private readonly MarkerWatches _markerWatches;
    private TaskCompletionSource _changed = NewSignal();
    private IReadOnlyList<string> _runningIds = [];

    /// <summary>Builds started and not finished, as of the last scan (<c>zuul.builds.running</c>).</summary>
    public int RunningBuilds => Volatile.Read(ref _runningIds).Count;

    /// <summary>The ids of <see cref="RunningBuilds"/> (the liveness lease names them without ZooKeeper).</summary>
    public IReadOnlyList<string> RunningBuildIds => Volatile.Read(ref _runningIds);

    public JobRootWatcher(BuildReporter reporter, LogWatchRegistry watches, IOptions<ExecutorOptions> options, TimeProvider time, ZuulMetrics metrics, ILogger<JobRootWatcher> logger)
    {
        _reporter = reporter;
        _metrics = metrics;
        _options = options;
        _time = time;
        _logger = logger;
        _markerWatches = new MarkerWatches(watches, MaxWatchedBuilds, Signal);
        // Builds a full registration queue refused are still in the job root: scan again once it has room.
        reporter.RoomAvailable += Signal;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var root = _options.Value.JobRoot!;
        _metrics.ObserveBuildsRunning(() => RunningBuilds);
        Directory.CreateDirectory(root);
        using var watcher = TryWatch(root);
        LogInformationWatching(_logger, root, watcher is not null);
        try
        {
            await WatchAsync(root, stoppingToken);
        }
        finally
        {
            _markerWatches.Dispose();
        }
    }

    private async Task WatchAsync(string root, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = Volatile.Read(ref _changed).Task;
            try
            {
                Scan(root);
                Volatile.Write(ref _runningIds, _known.Where(b => b.Value.FinishedAt is null).Select(b => b.Key).ToList());
                ReannounceIfRequested();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogWarningScanFailed(_logger, e, root);
            }

            try
            {
                await changed.WaitAsync(_options.Value.JobRootScanInterval, _time, stoppingToken);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private FileSystemWatcher? TryWatch(string root)
    {
        try
        {
            var watcher = new FileSystemWatcher(root)
            {
                NotifyFilter = NotifyFilters.DirectoryName | NotifyFilters.FileName,
                IncludeSubdirectories = false,
            };
            FileSystemEventHandler handler = (_, _) => Signal();
            watcher.Created += handler;
            watcher.Deleted += handler;
            watcher.Renamed += (_, _) => Signal();
            watcher.Error += (_, _) => Signal();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            LogWarningWatchFailed(_logger, e, root);
            return null;
        }
    }

    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Information, Message = "Reporting all {Count} builds in the job root again")]
    private static partial void LogInformationReannouncing(ILogger logger, int count);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Watching job root {JobRoot} (file notifications: {Notifications})")]
    private static partial void LogInformationWatching(ILogger logger, string jobRoot, bool notifications);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Build {BuildId} ({JobName}) of tenant {Tenant} started")]
    private static partial void LogInformationBuildStarted(ILogger logger, string buildId, string? jobName, string tenant);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Build {BuildId} finished ({Result}): {Reason}")]
    private static partial void LogInformationBuildFinished(ILogger logger, string buildId, string? result, string reason);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Cannot scan job root {JobRoot}")]
    private static partial void LogWarningScanFailed(ILogger logger, Exception exception, string jobRoot);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "Cannot watch job root {JobRoot}; scanning it periodically only")]
    private static partial void LogWarningWatchFailed(ILogger logger, Exception exception, string jobRoot);
}
