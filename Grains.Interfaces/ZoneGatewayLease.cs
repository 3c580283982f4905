namespace Zuul.LiveLog.Grains;

/// <summary>Lease of a gateway registration in <see cref="IZoneGatewayGrain"/> (embedded mode without ZooKeeper).</summary>
public static class ZoneGatewayLease
{
    /// <summary>How long a registration lives without renewal.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(90);

    /// <summary>How often a gateway renews: a third of the lease, so two renewals may fail in a row.</summary>
    public static readonly TimeSpan Renewal = Duration / 3;
}
