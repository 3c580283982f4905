using Zuul.LiveLog.Finger;

namespace Zuul.LiveLog.Executor;

/// <summary>A scan of the job root: which builds started and finished since the last one, and the marker's grace.</summary>
public sealed partial class JobRootWatcher
{
    /// <summary>An empty marker younger than this may still be being written; its result is read again before the finish is reported.</summary>
    private static readonly TimeSpan MarkerGrace = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<string, KnownBuild> _known = new(StringComparer.Ordinal);

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
                var tenant = JobInventory.ReadTenant(job.Path) ?? _options.Value.DefaultTenant;
                var build = new KnownBuild(ReadFirstLine(Path.Combine(job.Path, JobNameFile)), tenant, _time.GetUtcNow());
                // Known only once the reporter took it: a full queue leaves it to be found again by a later scan.
                if (_reporter.TryReport(id, build.JobName, build.StartedAt, tenant: tenant))
                {
                    _known[id] = build;
                    LogInformationBuildStarted(_logger, id, build.JobName, tenant);
                }
            }
        }

        foreach (var (id, build) in _known.ToList())
        {
            if (!present.Contains(id))
            {
                if (build.FinishedAt is null)
                {
                    if (!_reporter.TryReport(id, build.JobName, build.StartedAt, null, _time.GetUtcNow(), build.Tenant))
                    {
                        continue; // reported by a later scan
                    }

                    LogInformationBuildFinished(_logger, id, null, "job directory removed");
                }

                _known.Remove(id);
                _reannounceLeft.Remove(id);
                _markerWatches.Release(id);
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
                        _ = Task.Delay(MarkerGrace / 5, _time).ContinueWith(_ => Signal(), TaskScheduler.Default);
                        continue;
                    }

                    var finishedAt = _time.GetUtcNow();
                    if (!_reporter.TryReport(id, build.JobName, build.StartedAt, result, finishedAt, build.Tenant))
                    {
                        continue; // reported by a later scan
                    }

                    _markerWatches.Release(id);
                    build.Result = result;
                    build.FinishedAt = finishedAt;
                    LogInformationBuildFinished(_logger, id, build.Result, "marker written");
                }
                else
                {
                    _markerWatches.TryWatch(job);
                }
            }
        }
    }

    private bool IsYoung(string path) => _time.GetUtcNow() - File.GetLastWriteTimeUtc(path) < MarkerGrace;

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

    private sealed class KnownBuild(string? jobName, string tenant, DateTimeOffset startedAt)
    {
        public string? JobName { get; } = jobName;

        public string Tenant { get; } = tenant;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public DateTimeOffset? FinishedAt { get; set; }

        public string? Result { get; set; }
    }
}
