using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// This process's finger gateway in the zone-gateway registry: an ephemeral sequential node kept by
/// <see cref="EphemeralRegistration"/>, so it comes back on the new session after an expiry and goes with the process.
/// </summary>
public sealed class FingerGatewayRegistration : IAsyncDisposable
{
    private readonly EphemeralRegistration _registration;

    private FingerGatewayRegistration(EphemeralRegistration registration, RegisteredGateway entry)
    {
        _registration = registration;
        Entry = entry;
    }

    public RegisteredGateway Entry { get; private set; }

    /// <summary>The node's current path (changes when it is re-created after an expiry).</summary>
    public string Path => _registration.Path;

    public static async Task<FingerGatewayRegistration> CreateAsync(ZooKeeperConnection connection, RegisteredGateway entry, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(entry);
        await connection.WaitUntilConnectedAsync(cancellationToken).ConfigureAwait(false);
        var path = $"{ZooKeeperPaths.FingerGateways}/{ZooKeeperPaths.Segment(entry.Hostname)}-";
        var registration = await EphemeralRegistration.CreateAsync(connection.Sessions, path, entry.ToJson(), sequential: true, logger: logger, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new FingerGatewayRegistration(registration, entry);
    }

    /// <summary>Publishes a new state (<c>running</c>, <c>draining</c>, ...).</summary>
    public async Task SetStateAsync(string state, CancellationToken cancellationToken = default)
    {
        Entry = Entry with { State = state };
        await _registration.UpdateAsync(Entry.ToJson(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the node.</summary>
    public ValueTask DisposeAsync() => _registration.DisposeAsync();
}
