namespace Zuul.LiveLog.Silo;

/// <summary>How a silo with ZooKeeper watches executors' liveness leases (<c>Builds:*</c>).</summary>
public sealed class ExecutorLivenessOptions
{
    public const string Section = "Builds";

    /// <summary>
    /// How long an executor's lease node may be missing before its running builds become lost (<c>Builds:ExecutorGrace</c>,
    /// default 5 s). The node goes when the executor's ZooKeeper session expires; the grace covers an executor that is
    /// re-creating it on a new session, e.g. everybody reconnecting after a ZooKeeper outage.
    /// </summary>
    public TimeSpan ExecutorGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A full check besides the watches (<c>Builds:LivenessCheckInterval</c>, default 1 minute): catches a build
    /// registered just after its executor's node went.
    /// </summary>
    public TimeSpan LivenessCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    public static IReadOnlyList<string> Validate(ExecutorLivenessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.ExecutorGrace < TimeSpan.Zero || options.ExecutorGrace > TimeSpan.FromHours(1))
        {
            errors.Add($"Builds:ExecutorGrace must be 0..1 hour (got {options.ExecutorGrace}).");
        }

        if (options.LivenessCheckInterval < TimeSpan.FromSeconds(1) || options.LivenessCheckInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"Builds:LivenessCheckInterval must be 1 s..1 day (got {options.LivenessCheckInterval}).");
        }

        return errors;
    }
}
