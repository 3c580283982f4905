using System.Security.Authentication;

namespace Orleans.Zuul.Finger.Tls;

internal static class TlsProtocols
{
    /// <summary>TLS 1.2 and 1.3 only.</summary>
    public const SslProtocols Allowed = SslProtocols.Tls12 | SslProtocols.Tls13;
}
