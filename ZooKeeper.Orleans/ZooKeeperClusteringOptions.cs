using Microsoft.Extensions.Options;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>Clustering over ZooKeeper: where the membership table lives and how clients choose gateways.</summary>
public sealed class ZooKeeperClusteringOptions
{
    /// <summary>
    /// Silo: the zone written next to its membership row. Client: the zone whose silos' gateways it prefers
    /// (all gateways when none of that zone is active). Null = un-zoned.
    /// </summary>
    public string? Zone { get; set; }

    /// <summary>How long a client may use a gateway list before asking again (Orleans' <c>MaxStaleness</c>).</summary>
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Silo: when ZooKeeper is unreachable at shutdown, how long each of the last membership status updates retries
    /// (instead of Orleans' <c>MaxJoinAttemptTime</c>, 5 min). Keeps a silo's stop within an orchestrator's grace period.
    /// </summary>
    public TimeSpan UnreachableShutdownTimeout { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>Reports every bad <see cref="ZooKeeperClusteringOptions"/> setting at once.</summary>
public sealed class ZooKeeperClusteringOptionsValidator : IValidateOptions<ZooKeeperClusteringOptions>
{
    public ValidateOptionsResult Validate(string? name, ZooKeeperClusteringOptions options)
    {
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Errors(ZooKeeperClusteringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.GatewayListRefreshPeriod <= TimeSpan.Zero)
        {
            errors.Add($"ZooKeeper:Clustering:GatewayListRefreshPeriod must be positive (was {options.GatewayListRefreshPeriod}).");
        }

        if (options.UnreachableShutdownTimeout <= TimeSpan.Zero)
        {
            errors.Add($"ZooKeeper:Clustering:UnreachableShutdownTimeout must be positive (was {options.UnreachableShutdownTimeout}).");
        }

        return errors;
    }
}
