namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// <c>ZooKeeper:Tls:*</c>: TLS to the ensemble's <c>secureClientPort</c> with PEM files. On when a CA or a client
/// certificate is given (or <see cref="Enabled"/>); the files are read again at each new connection.
/// </summary>
public sealed class ZooKeeperTlsSettings
{
    /// <summary>Speak TLS even with neither <see cref="Ca"/> nor <see cref="Certificate"/> (servers then checked against the system's CAs).</summary>
    public bool? Enabled { get; set; }

    /// <summary>PEM CA bundle the servers' certificates must chain to (the only CAs trusted).</summary>
    public string? Ca { get; set; }

    /// <summary>PEM client certificate (chain); with ZooKeeper's x509 provider its subject is this process's identity.</summary>
    public string? Certificate { get; set; }

    /// <summary>PEM private key of <see cref="Certificate"/>.</summary>
    public string? Key { get; set; }

    /// <summary>The server's certificate must name the host of the connection string.</summary>
    public bool VerifyHostnames { get; set; } = true;

    public bool IsOn => Enabled ?? (!string.IsNullOrEmpty(Ca) || !string.IsNullOrEmpty(Certificate));

    internal ZooKeeperTlsOptions? ToClientOptions() => !IsOn ? null : new ZooKeeperTlsOptions
    {
        CaPath = NullIfEmpty(Ca),
        CertificatePath = NullIfEmpty(Certificate),
        KeyPath = NullIfEmpty(Key),
        VerifyHostname = VerifyHostnames,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
