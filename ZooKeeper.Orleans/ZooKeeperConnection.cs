using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// The process's one ZooKeeper session (replaced after expiry), shared by membership, gateway list, grain storage
/// and the gateway registry. <see cref="WaitUntilConnectedAsync"/> is the start-up wait: it retries with a jittered,
/// doubling backoff and says what it waits for.
/// </summary>
public sealed partial class ZooKeeperConnection : IAsyncDisposable
{
    private readonly ZooKeeperOptions _options;
    private readonly ILogger<ZooKeeperConnection> _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private volatile bool _ready;

    public ZooKeeperConnection(IOptions<ZooKeeperOptions> options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ZooKeeperConnection>();
        Sessions = new ZooKeeperSessionManager(_options.ToClientOptions(), loggerFactory);
    }

    public ZooKeeperSessionManager Sessions { get; }

    public string ConnectionString => _options.EffectiveConnectionString;

    /// <summary>True while the current session is connected (for health checks).</summary>
    public bool IsConnected => Sessions.Current is { State: ZooKeeperState.Connected };

    /// <summary>The current session's state, or null before the first connection.</summary>
    public ZooKeeperState? State => Sessions.Current?.State;

    /// <summary>The current client; the first call waits (retrying forever, logging each attempt) until ZooKeeper answers.</summary>
    public async Task<ZooKeeperClient> GetClientAsync(CancellationToken cancellationToken = default)
    {
        if (!_ready)
        {
            await WaitUntilConnectedAsync(cancellationToken).ConfigureAwait(false);
        }

        return await Sessions.GetClientAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connects (creating the chroot if missing), retrying with jittered backoff until it works or is cancelled.</summary>
    public async Task WaitUntilConnectedAsync(CancellationToken cancellationToken = default)
    {
        if (_ready)
        {
            return;
        }

        await _startGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var delay = TimeSpan.FromMilliseconds(200);
            for (var attempt = 1; !_ready; attempt++)
            {
                try
                {
                    await EnsureChrootAsync(cancellationToken).ConfigureAwait(false);
                    var client = await Sessions.GetClientAsync(cancellationToken).ConfigureAwait(false);
                    await CheckIdentityAsync(client, cancellationToken).ConfigureAwait(false);
                    _ready = true;
                    LogInformationConnected(_logger, ConnectionString, attempt);
                }
                catch (Exception ex) when (ex is ZooKeeperException or System.Net.Sockets.SocketException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
                {
                    var jittered = TimeSpan.FromMilliseconds(delay.TotalMilliseconds * (0.5 + Random.Shared.NextDouble()));
                    LogWarningWaiting(_logger, ConnectionString, attempt, jittered, ex.Message);
                    await Task.Delay(jittered, cancellationToken).ConfigureAwait(false);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, _options.MaxRetryDelay.TotalMilliseconds));
                }
            }
        }
        finally
        {
            _startGate.Release();
        }
    }

    private async Task EnsureChrootAsync(CancellationToken cancellationToken)
    {
        var parsed = global::Zuul.LiveLog.ZooKeeper.ConnectionString.Parse(_options.EffectiveConnectionString);
        if (parsed.Chroot is not { Length: > 1 } chroot)
        {
            return;
        }

        var rootOptions = _options.ToClientOptions();
        rootOptions.ConnectionString = string.Join(',', parsed.Hosts.Select(h => h.ToString()));
        await using var root = await ZooKeeperClient.ConnectAsync(rootOptions, _loggerFactory, cancellationToken).ConfigureAwait(false);
        await root.EnsurePathAsync(chroot, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Logs who the server takes this process for and fails start-up when that is none of the ACL owners: such a
    /// process would create nodes it cannot change afterwards (a certificate subject that differs from the listed
    /// owners, or a server without the x509 provider).
    /// </summary>
    private async Task CheckIdentityAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        var owners = client.DefaultAcl.Where(a => a.Perms == Permissions.All && a.Id != Id.AnyoneUnsafe).Select(a => a.Id).ToList();
        IReadOnlyList<Id> identities;
        try
        {
            identities = await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (UnimplementedException)
        {
            LogInformationIdentityUnknown(_logger, Describe(owners));
            return; // a server before 3.7 cannot say; the first write would
        }

        LogInformationIdentity(_logger, Describe(identities), Describe(owners), _options.Acl.RestrictReads ? "owners only" : "everybody");
        if (owners.Count > 0 && !identities.Any(i => owners.Any(o => IsOwner(i, o))))
        {
            throw new ZooKeeperIdentityException(
                $"The ZooKeeper session is authenticated as {Describe(identities)}, none of the owners of the nodes it would create ({Describe(owners)}), so it could not change them. " +
                "Give every process the same ZooKeeper:Auth:Digest or the same client certificate subject, list them all in ZooKeeper:Acl:Owners, " +
                "and for certificates make sure the server maps them (authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider).");
        }
    }

    /// <summary>whoAmI names digest users without their hash (user, not user:hash); any other scheme in full.</summary>
    private static bool IsOwner(Id identity, Id owner) =>
        identity.Scheme == owner.Scheme
        && (identity.Value == owner.Value || (identity.Scheme == "digest" && owner.Value.StartsWith(identity.Value + ":", StringComparison.Ordinal)));

    private static string Describe(IEnumerable<Id> ids) =>
        ids.Any() ? string.Join(", ", ids.Select(i => $"{i.Scheme}:{i.Value}")) : "everyone (open ACL)";

    public ValueTask DisposeAsync() => Sessions.DisposeAsync();

    [LoggerMessage(2402, LogLevel.Information, "ZooKeeper knows this process as {Identities}; nodes it creates are owned by {Owners}, readable by {Readers}")]
    private static partial void LogInformationIdentity(ILogger logger, string identities, string owners, string readers);

    [LoggerMessage(2403, LogLevel.Information, "ZooKeeper is older than 3.7 (no whoAmI): nodes this process creates are owned by {Owners}, not checked against its identity")]
    private static partial void LogInformationIdentityUnknown(ILogger logger, string owners);

    [LoggerMessage(2400, LogLevel.Warning, "Waiting for ZooKeeper at {ConnectionString} (attempt {Attempt}, next in {Delay}): {Reason}")]
    private static partial void LogWarningWaiting(ILogger logger, string connectionString, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(2401, LogLevel.Information, "Connected to ZooKeeper at {ConnectionString} (attempt {Attempt})")]
    private static partial void LogInformationConnected(ILogger logger, string connectionString, int attempt);
}
