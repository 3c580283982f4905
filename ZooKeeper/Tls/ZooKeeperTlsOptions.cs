namespace Zuul.LiveLog.ZooKeeper;

/// <summary>
/// TLS towards ZooKeeper's <c>secureClientPort</c>: PEM files, read again for every new connection (so rotated files
/// are picked up at the next reconnect), TLS 1.2 or 1.3.
/// </summary>
public sealed class ZooKeeperTlsOptions
{
    /// <summary>PEM CA bundle the servers' certificates must chain to; null: the system's trusted CAs.</summary>
    public string? CaPath { get; set; }

    /// <summary>PEM client certificate (chain) presented to the server; null: none (the server may refuse).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The server's certificate must name the host of the connection string (DNS name or IP address).</summary>
    public bool VerifyHostname { get; set; } = true;
}
