namespace Zuul.LiveLog.Silo;

/// <summary>
/// Where this silo's finger gateway announces itself to its zone: the zone's grain under a lease (embedded default)
/// or an ephemeral node in ZooKeeper. <see cref="GatewayRegistrationService"/> drives it.
/// </summary>
internal interface IGatewayRegistry
{
    /// <summary>Registers the listening gateway and keeps it registered until <paramref name="stoppingToken"/>; may return earlier when nothing is left to do.</summary>
    Task KeepRegisteredAsync(FingerGatewayOptions options, int boundPort, CancellationToken stoppingToken);

    /// <summary>Takes the draining gateway out of the registry, giving up after <paramref name="timeout"/> (shutdown must not hang).</summary>
    void Remove(TimeSpan timeout);
}
