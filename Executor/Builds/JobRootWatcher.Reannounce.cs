namespace Zuul.LiveLog.Executor;

/// <summary>Reporting every build in the job root again, after the cluster may have forgotten them.</summary>
public sealed partial class JobRootWatcher
{
    private int _reannounce;

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
        LogInformationReannouncing(_logger, _known.Count);
        foreach (var (id, build) in _known)
        {
            _reporter.Started(id, build.JobName, build.Tenant, build.StartedAt);
            if (build.FinishedAt is { } finishedAt)
            {
                _reporter.Finished(id, build.Result, finishedAt);
            }
        }
    }

    private void ReannounceIfRequested()
    {
        if (Interlocked.Exchange(ref _reannounce, 0) == 1)
        {
            Reannounce();
        }
    }
}
