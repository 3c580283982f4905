using System.Net.Security;
using System.Security.Authentication;

namespace Orleans.Zuul.Finger.Tls;

internal static class TlsProtocols
{
    /// <summary>TLS 1.2 and 1.3 only.</summary>
    public const SslProtocols Allowed = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// AEAD suites only, AES-128-GCM first (as Go's TLS does): log streams are bulk data and AES-128-GCM encrypts
    /// faster than AES-256-GCM with the same hardware support. Null where the platform cannot set a policy.
    /// </summary>
    public static readonly CipherSuitesPolicy? Suites = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()
        ? new CipherSuitesPolicy(
        [
            TlsCipherSuite.TLS_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ])
        : null;
}
