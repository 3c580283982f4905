namespace Zuul.LiveLog.Finger.Tls;

/// <summary>
/// TLS of finger streams (PROTOCOL.md section 4). On a gateway it is bound from <c>FingerGateway:Tls</c> and
/// used both for its listener and for its connections to other gateways; on the web frontend from
/// <c>FingerClient:Tls</c> (client side only). PEM files; they are re-read when they change on disk.
/// </summary>
public sealed class FingerTlsOptions
{
    /// <summary>TLS is on when a certificate is configured.</summary>
    public bool Enabled => !string.IsNullOrEmpty(Certificate);

    /// <summary>PEM certificate (chain) presented as server, and as client certificate on outgoing connections.</summary>
    public string? Certificate { get; set; }

    /// <summary>PEM private key of <see cref="Certificate"/>.</summary>
    public string? Key { get; set; }

    /// <summary>PEM CA bundle: verifies servers we connect to and, on a listener, client certificates.</summary>
    public string? Ca { get; set; }

    /// <summary>Require a client certificate signed by <see cref="Ca"/>. Default: on whenever a CA is given (as Zuul).</summary>
    public bool? RequireClientCertificate { get; set; }

    /// <summary>Check that a server's certificate names the host we connect to (default on).</summary>
    public bool VerifyHostnames { get; set; } = true;

    /// <summary>Use TLS towards other gateways only; the own listener stays plaintext (and registers <c>tls: false</c>).</summary>
    public bool ClientOnly { get; set; }

    /// <summary>Time a TLS handshake may take before the connection is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Extra server certificates chosen by SNI server name (name -> certificate and key); the default is <see cref="Certificate"/>.</summary>
    public Dictionary<string, FingerTlsCertificate> ServerNames { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public bool ClientCertificateRequired => RequireClientCertificate ?? !string.IsNullOrEmpty(Ca);

    /// <summary>Whether the listener speaks TLS.</summary>
    public bool ListenerTls => Enabled && !ClientOnly;
}

/// <summary>A certificate and its key, as PEM file paths.</summary>
public sealed class FingerTlsCertificate
{
    public string Certificate { get; set; } = string.Empty;

    public string Key { get; set; } = string.Empty;
}
