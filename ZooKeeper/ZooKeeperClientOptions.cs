namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Settings of a <see cref="ZooKeeperClient"/>.</summary>
public sealed class ZooKeeperClientOptions
{
    /// <summary>The default and wire limit of jute.maxbuffer.</summary>
    public const int DefaultMaxPacketSize = 1024 * 1024;

    /// <summary><c>host:port[,host:port...][/chroot]</c>; the hosts are tried in shuffled order.</summary>
    public string ConnectionString { get; set; } = "127.0.0.1:2181";

    /// <summary>Requested session timeout; the server clamps it to its min/max (2 to 20 ticks by default).</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="ZooKeeperClient.ConnectAsync(ZooKeeperClientOptions, Microsoft.Extensions.Logging.ILoggerFactory?, CancellationToken)"/> waits for the first session.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest frame sent or accepted, in bytes (jute.maxbuffer).</summary>
    public int MaxPacketSize { get; set; } = DefaultMaxPacketSize;

    /// <summary>Re-attach this existing session instead of creating one (0: new session).</summary>
    public long SessionId { get; set; }

    /// <summary>The password of <see cref="SessionId"/>.</summary>
    public byte[]? SessionPassword { get; set; }

    /// <summary>Clock for pings and timeouts.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Speak TLS to the servers (their <c>secureClientPort</c>); null: plaintext.</summary>
    public ZooKeeperTlsOptions? Tls { get; set; }

    /// <summary>Credentials sent first on every connection, before any request (so also again after each reconnect).</summary>
    public IReadOnlyList<ZooKeeperCredential> Credentials { get; set; } = [];

    /// <summary>
    /// The ACL of every node created without an explicit one (creates, multi creates, recipes);
    /// null: <see cref="Acl.OpenUnsafe"/>, as ZooKeeper's own clients default to.
    /// </summary>
    public IReadOnlyList<Acl>? DefaultAcl { get; set; }

    /// <summary>These settings for a new session: everything but <see cref="SessionId"/> and <see cref="SessionPassword"/>.</summary>
    public ZooKeeperClientOptions ForNewSession() => new()
    {
        ConnectionString = ConnectionString,
        SessionTimeout = SessionTimeout,
        ConnectTimeout = ConnectTimeout,
        MaxPacketSize = MaxPacketSize,
        TimeProvider = TimeProvider,
        Tls = Tls,
        Credentials = Credentials,
        DefaultAcl = DefaultAcl,
    };
}
