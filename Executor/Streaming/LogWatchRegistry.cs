using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.Executor;

/// <summary>Hands out one shared <see cref="BuildLogWatch"/> per followed build, reference counted.</summary>
public sealed partial class LogWatchRegistry(ILogger<LogWatchRegistry> logger)
{
    private readonly Dictionary<string, BuildLogWatch> _watches = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Number of builds currently watched (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _watches.Count;
            }
        }
    }

    internal Lease Acquire(JobDirectory job)
    {
        lock (_lock)
        {
            if (!_watches.TryGetValue(job.BuildId, out var watch))
            {
                watch = new BuildLogWatch(job.BuildId);
                try
                {
                    watch.Start(job.LogDirectory);
                    LogDebugWatchStarted(logger, job.BuildId, job.LogDirectory);
                }
                catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
                {
                    // Out of inotify instances/watches, or the directory vanished: readers still make progress on the re-check timer.
                    LogWarningWatchFailed(logger, e, job.BuildId, job.LogDirectory);
                }

                _watches.Add(job.BuildId, watch);
            }

            watch.References++;
            return new Lease(this, watch);
        }
    }

    private void Release(BuildLogWatch watch)
    {
        lock (_lock)
        {
            if (--watch.References > 0)
            {
                return;
            }

            _watches.Remove(watch.Key);
        }

        watch.Dispose();
        LogDebugWatchStopped(logger, watch.Key);
    }

    /// <summary>A reader's hold on a build's watch; dispose when the stream ends.</summary>
    internal sealed class Lease(LogWatchRegistry registry, BuildLogWatch watch) : IDisposable
    {
        private int _disposed;

        public Task Changed => watch.Changed;

        /// <summary>Raised when the build's <c>.done</c> marker appears (only while file notifications work).</summary>
        public event Action? MarkerAppeared
        {
            add => watch.MarkerAppeared += value;
            remove => watch.MarkerAppeared -= value;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                registry.Release(watch);
            }
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "Watching {Directory} for build {BuildId}")]
    private static partial void LogDebugWatchStarted(ILogger logger, string buildId, string directory);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Stopped watching build {BuildId}")]
    private static partial void LogDebugWatchStopped(ILogger logger, string buildId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Cannot watch {Directory} for build {BuildId}; following it by periodic re-check only")]
    private static partial void LogWarningWatchFailed(ILogger logger, Exception exception, string buildId, string directory);
}
