namespace Orleans.Zuul.ZooKeeper.Orleans;

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
}
