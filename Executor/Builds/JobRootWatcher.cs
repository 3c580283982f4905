using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Zuul.Finger;
using Orleans.Zuul.Hosting.Telemetry;

namespace Orleans.Zuul.Executor;

/// <summary>
/// Job source that watches <see cref="ExecutorOptions.JobRoot"/> (PROTOCOL.md section 2): a new <c>&lt;hex-id&gt;</c>
/// directory is a started build (directories present at start-up included); <c>work/logs/job-output.txt.done</c>
/// appearing, or the directory going away, is its finish. Directory events wake it at once, and so does a marker
/// appearing: each running build's <c>work/logs</c> is watched through the <see cref="LogWatchRegistry"/> (the same
/// watch its log streams share; at most <see cref="MaxWatchedBuilds"/> builds). A periodic re-scan
/// (<see cref="ExecutorOptions.JobRootScanInterval"/>) catches anything a notification missed.
/// Optional files of our own: <c>&lt;id&gt;/job-name</c> (the job's name) and the marker's first line (the result).
/// </summary>
public sealed partial class JobRootWatcher(
    BuildReporter reporter,
    LogWatchRegistry watches,
    IOptions<ExecutorOptions> options,
    TimeProvider time,
    ZuulMetrics metrics,
    ILogger<JobRootWatcher> logger) : BackgroundService
{
    /// <summary>Optional file in a job directory naming the job (first line).</summary>
    public const string JobNameFile = "job-name";

    /// <summary>
    /// Running builds whose log directory is watched for the marker; beyond this, the re-scan alone notices it.
    /// Each watched build costs one inotify instance (Linux allows 128 per user by default), shared with its streams.
    /// </summary>
    public const int MaxWatchedBuilds = 32;

    /// <summary>An empty marker younger than this may still be being written; its result is read again before the finish is reported.</summary>
    private static readonly TimeSpan MarkerGrace = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<string, KnownBuild> _known = new(StringComparer.Ordinal);
    private int _reannounce;
    private readonly Dictionary<string, LogWatchRegistry.Lease> _leases = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();
    private int _running;

    /// <summary>Builds started and not finished, as of the last scan (<c>zuul.builds.running</c>).</summary>
    public int RunningBuilds => Volatile.Read(ref _running);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var root = options.Value.JobRoot!;
        metrics.ObserveBuildsRunning(() => RunningBuilds);
        Directory.CreateDirectory(root);
        using var watcher = TryWatch(root);
        LogInformationWatching(logger, root, watcher is not null);
        try
        {
            await WatchAsync(root, stoppingToken);
        }
        finally
        {
            foreach (var id in _leases.Keys.ToList())
            {
                ReleaseLease(id);
            }
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
                Volatile.Write(ref _running, _known.Values.Count(b => b.FinishedAt is null));
                if (Interlocked.Exchange(ref _reannounce, 0) == 1)
                {
                    Reannounce();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogWarningScanFailed(logger, e, root);
            }

            try
            {
                await changed.WaitAsync(options.Value.JobRootScanInterval, time, stoppingToken);
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

    private void Scan(string root)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(path);
            if (BuildId.TryNormalize(name, out var id) && id == name)
            {
                present.Add(id);
            }
        }

        foreach (var id in present)
        {
            if (!_known.ContainsKey(id))
            {
                var job = JobDirectory.For(root, id);
                var build = new KnownBuild(ReadFirstLine(Path.Combine(job.Path, JobNameFile)), time.GetUtcNow());
                _known[id] = build;
                LogInformationBuildStarted(logger, id, build.JobName);
                reporter.Started(id, build.JobName, build.StartedAt);
            }
        }

        foreach (var (id, build) in _known.ToList())
        {
            if (!present.Contains(id))
            {
                _known.Remove(id);
                ReleaseLease(id);
                if (build.FinishedAt is null)
                {
                    LogInformationBuildFinished(logger, id, null, "job directory removed");
                    reporter.Finished(id, null, time.GetUtcNow());
                }
            }
            else if (build.FinishedAt is null)
            {
                var job = JobDirectory.For(root, id);
                if (File.Exists(job.DoneMarker))
                {
                    var result = ReadFirstLine(job.DoneMarker);
                    if (result is null && IsYoung(job.DoneMarker))
                    {
                        // Seen between its creation and its first write: look again shortly for the result.
                        _ = Task.Delay(MarkerGrace / 5, time).ContinueWith(_ => Signal(), TaskScheduler.Default);
                        continue;
                    }

                    ReleaseLease(id);
                    build.Result = result;
                    build.FinishedAt = time.GetUtcNow();
                    LogInformationBuildFinished(logger, id, build.Result, "marker written");
                    reporter.Finished(id, build.Result, build.FinishedAt.Value);
                }
                else if (!_leases.ContainsKey(id) && _leases.Count < MaxWatchedBuilds && Directory.Exists(job.LogDirectory))
                {
                    var lease = watches.Acquire(job);
                    lease.MarkerAppeared += Signal;
                    _leases.Add(id, lease);
                    if (File.Exists(job.DoneMarker))
                    {
                        Signal(); // written before the watch started
                    }
                }
            }
        }
    }

    /// <summary>
    /// Reports every build in the job root again (start, and finish when finished), e.g. after the cluster connection
    /// was lost and recovered and the cluster may have forgotten them. Starting a build is idempotent in its grain.
    /// </summary>
    public void RequestReannounce()
    {
        Interlocked.Exchange(ref _reannounce, 1);
        Signal();
    }

    private void Reannounce()
    {
        LogInformationReannouncing(logger, _known.Count);
        foreach (var (id, build) in _known)
        {
            reporter.Started(id, build.JobName, build.StartedAt);
            if (build.FinishedAt is { } finishedAt)
            {
                reporter.Finished(id, build.Result, finishedAt);
            }
        }
    }

    private bool IsYoung(string path) => time.GetUtcNow() - File.GetLastWriteTimeUtc(path) < MarkerGrace;

    private void ReleaseLease(string id)
    {
        if (_leases.Remove(id, out var lease))
        {
            lease.MarkerAppeared -= Signal;
            lease.Dispose();
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
            LogWarningWatchFailed(logger, e, root);
            return null;
        }
    }

    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>First line of a small text file, trimmed and capped; null when absent or empty.</summary>
    private static string? ReadFirstLine(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            var buffer = new char[128];
            var n = reader.ReadBlock(buffer, 0, buffer.Length);
            var line = new string(buffer, 0, n).Split('\n', 2)[0].Trim();
            return line.Length == 0 ? null : line;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed class KnownBuild(string? jobName, DateTimeOffset startedAt)
    {
        public string? JobName { get; } = jobName;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public DateTimeOffset? FinishedAt { get; set; }

        public string? Result { get; set; }
    }

    [LoggerMessage(EventId = 1406, Level = LogLevel.Information, Message = "Reporting all {Count} builds in the job root again")]
    private static partial void LogInformationReannouncing(ILogger logger, int count);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Watching job root {JobRoot} (file notifications: {Notifications})")]
    private static partial void LogInformationWatching(ILogger logger, string jobRoot, bool notifications);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Build {BuildId} ({JobName}) started")]
    private static partial void LogInformationBuildStarted(ILogger logger, string buildId, string? jobName);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Build {BuildId} finished ({Result}): {Reason}")]
    private static partial void LogInformationBuildFinished(ILogger logger, string buildId, string? result, string reason);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Cannot scan job root {JobRoot}")]
    private static partial void LogWarningScanFailed(ILogger logger, Exception exception, string jobRoot);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "Cannot watch job root {JobRoot}; scanning it periodically only")]
    private static partial void LogWarningWatchFailed(ILogger logger, Exception exception, string jobRoot);
}
