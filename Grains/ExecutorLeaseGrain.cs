using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.Grains;

/// <summary>
/// An executor's liveness lease without ZooKeeper. Each renewal extends it by its duration and names the builds the
/// executor runs; a timer checks it, and when it lapses those builds become lost. The activation stays while a lease
/// is held (the timer keeps it alive) and may go once it lapsed.
/// </summary>
internal sealed partial class ExecutorLeaseGrain(TimeProvider time, ILogger<ExecutorLeaseGrain> logger) : Grain, IExecutorLeaseGrain
{
    private ExecutorLease? _lease;
    private DateTimeOffset _expires;
    private IGrainTimer? _timer;

    public Task<bool> RenewAsync(ExecutorLease lease)
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
        }

        return Task.FromResult(taken);
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

    [LoggerMessage(31, LogLevel.Warning, "The liveness lease of executor {Executor} lapsed (not renewed for {Duration}); {Lost} running builds are lost")]
    private static partial void LogWarningLapsed(ILogger logger, string executor, TimeSpan duration, int lost);
}
