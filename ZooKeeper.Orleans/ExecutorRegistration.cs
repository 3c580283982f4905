using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// An executor's liveness lease in ZooKeeper: an ephemeral sequential node kept by <see cref="EphemeralRegistration"/>
/// (created with the deployment's ACL like every node), so it goes when the executor's session ends (a crash, a cut
/// longer than the session timeout) and comes back on its next session. Sequential, so a restarted executor need not
/// wait for its previous process's node to expire.
/// </summary>
public sealed class ExecutorRegistration : IAsyncDisposable
{
    private readonly EphemeralRegistration _registration;

    private ExecutorRegistration(EphemeralRegistration registration) => _registration = registration;

    /// <summary>The node's current path (changes when it is re-created after an expiry).</summary>
    public string Path => _registration.Path;

    public static async Task<ExecutorRegistration> CreateAsync(ZooKeeperConnection connection, RegisteredExecutor entry, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(entry);
        await connection.WaitUntilConnectedAsync(cancellationToken).ConfigureAwait(false);
        var path = $"{ZooKeeperPaths.Executors}/{ZooKeeperPaths.Segment(entry.Hostname)}-";
        var registration = await EphemeralRegistration.CreateAsync(connection.Sessions, path, entry.ToJson(), sequential: true, logger: logger, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new ExecutorRegistration(registration);
    }

    /// <summary>Deletes the node.</summary>
    public ValueTask DisposeAsync() => _registration.DisposeAsync();
}
