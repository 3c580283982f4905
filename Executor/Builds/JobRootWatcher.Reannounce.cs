namespace Zuul.LiveLog.Executor;

/// <summary>Reporting every build in the job root again, after the cluster may have forgotten them.</summary>
public sealed partial class JobRootWatcher
{
    /// <summary>Builds still to report again; a full registration queue leaves the rest for the next scan.</summary>
    private readonly HashSet<string> _reannounceLeft = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _reannounceSome = new();
    private int _reannounce;

    /// <summary>
    /// Reports every build in the job root again with its latest state (running, or finished), e.g. after the cluster
    /// connection or the liveness lease was lost and recovered and the cluster may have forgotten them. Idempotent in the
    /// build's grain: an unchanged build changes nothing and announces nothing.
    /// </summary>
    public void RequestReannounce()
    {
        Interlocked.Exchange(ref _reannounce, 1);
        Signal();
    }

    /// <summary>Reports the named builds again (those the cluster has no record of); ids not in the job root are ignored.</summary>
    public void RequestReannounce(IEnumerable<string> buildIds)
    {
        foreach (var id in buildIds)
        {
            _reannounceSome.Enqueue(id);
        }

        Signal();
    }

    private void ReannounceIfRequested()
    {
        if (Interlocked.Exchange(ref _reannounce, 0) == 1)
        {
            LogInformationReannouncing(_logger, _known.Count);
            _reannounceLeft.UnionWith(_known.Keys);
        }

        while (_reannounceSome.TryDequeue(out var some))
        {
            _reannounceLeft.Add(some);
        }

        foreach (var id in _reannounceLeft.ToList())
        {
            if (!_known.TryGetValue(id, out var build))
            {
                _reannounceLeft.Remove(id);
                continue;
            }

            if (!_reporter.TryReport(id, build.JobName, build.StartedAt, build.Result, build.FinishedAt, build.Tenant))
            {
                return;
            }

            _reannounceLeft.Remove(id);
        }
    }
}
