using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.Grains;

/// <summary>
/// An executor's liveness lease without ZooKeeper. Each renewal extends it by its duration and names the builds the
/// executor runs; a timer checks it, and when it lapses those builds become lost. The activation stays while a lease
/// is held (the timer keeps it alive) and may go once it lapsed. A renewal also asks each named build's grain for its
/// record: without ZooKeeper, records live in memory storage, and a silo that goes takes the records it held with it
/// while this lease may live on elsewhere; the executor reports the builds named back (README "Executor liveness").
/// </summary>
internal sealed partial class ExecutorLeaseGrain(TimeProvider time, ILogger<ExecutorLeaseGrain> logger) : Grain, IExecutorLeaseGrain
{
    private ExecutorLease? _lease;
    private DateTimeOffset _expires;
    private IGrainTimer? _timer;

    public async Task<LeaseRenewal> RenewAsync(ExecutorLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.Duration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The lease duration must be positive (got {lease.Duration}).", nameof(lease));
        }

        var taken = _lease is null;
        _lease = lease;
        _expires = time.GetUtcNow() + lease.Duration;
        // Checked twice per lease: a lapse is noticed at most half a lease late.
        var check = lease.Duration / 2;
        _timer ??= this.RegisterGrainTimer(CheckAsync, new GrainTimerCreationOptions(check, check) { KeepAlive = true, Interleave = false });
        if (taken)
        {
            LogInformationTaken(logger, this.GetPrimaryKeyString(), lease.Duration, lease.RunningBuilds.Count);
            // The executor reports every build again anyway.
            return new LeaseRenewal(true, []);
        }

        var unrecorded = await UnrecordedAsync(lease.RunningBuilds);
        if (unrecorded.Count > 0)
        {
            LogWarningUnrecorded(logger, this.GetPrimaryKeyString(), unrecorded.Count, unrecorded[0]);
        }

        return new LeaseRenewal(false, unrecorded);
    }

    /// <summary>
    /// The builds whose grain has no record. A build the executor has not reported yet is among them too; reporting it
    /// again changes nothing. A record that cannot be read now is not counted: the next renewal asks again.
    /// </summary>
    private async Task<List<string>> UnrecordedAsync(IReadOnlyList<string> builds)
    {
        var records = await Task.WhenAll(builds.Select(async uuid =>
        {
            try
            {
                return (uuid, Known: await GrainFactory.GetGrain<IBuildGrain>(uuid).GetAsync() is not null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return (uuid, Known: true);
            }
        }));
        return records.Where(r => !r.Known).Select(r => r.uuid).ToList();
    }

    public Task<ExecutorLease?> GetAsync() => Task.FromResult(_lease);

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (_lease is not { } lease || time.GetUtcNow() < _expires)
        {
            return;
        }

        _lease = null;
        _timer?.Dispose();
        _timer = null;
        var lost = 0;
        foreach (var uuid in lease.RunningBuilds)
        {
            if (await GrainFactory.GetGrain<IBuildGrain>(uuid).MarkLostAsync(lease.Hostname, lease.LogPort))
            {
                lost++;
            }
        }

        LogWarningLapsed(logger, this.GetPrimaryKeyString(), lease.Duration, lost);
    }

    [LoggerMessage(30, LogLevel.Information, "Executor {Executor} took its liveness lease ({Duration}, {Builds} running builds)")]
    private static partial void LogInformationTaken(ILogger logger, string executor, TimeSpan duration, int builds);

    [LoggerMessage(32, LogLevel.Warning, "Executor {Executor} runs {Count} builds the cluster has no record of (first: {Uuid}; lost with a silo's memory storage, or not reported yet); it reports them again")]
    private static partial void LogWarningUnrecorded(ILogger logger, string executor, int count, string uuid);

    [LoggerMessage(31, LogLevel.Warning, "The liveness lease of executor {Executor} lapsed (not renewed for {Duration}); {Lost} running builds are lost")]
    private static partial void LogWarningLapsed(ILogger logger, string executor, TimeSpan duration, int lost);
}
