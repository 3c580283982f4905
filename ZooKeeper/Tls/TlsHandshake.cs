using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Zuul.LiveLog.ZooKeeper.Tls;

/// <summary>
/// The client side of a TLS connection to ZooKeeper. Files are read at every handshake: connections are few
/// (one per session, again after a reconnect), so a rotated certificate or CA needs no restart and no file watch.
/// </summary>
internal static class TlsHandshake
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Wraps <paramref name="inner"/> in TLS; throws an <see cref="IOException"/> whose message says why it failed.</summary>
    public static async Task<Stream> AuthenticateAsync(Stream inner, HostEndpoint endpoint, ZooKeeperTlsOptions tls, CancellationToken cancellationToken)
    {
        var roots = LoadRoots(tls);
        var certificate = LoadClientCertificate(tls);
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        string? refusal = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = endpoint.Host,
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificateContext = certificate,
            RemoteCertificateValidationCallback = (_, presented, _, errors) =>
            {
                refusal = CheckServer(presented, errors, roots, tls.VerifyHostname);
                return refusal is null;
            },
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"TLS handshake with ZooKeeper at {endpoint} failed: {refusal ?? Explain(exception)}", exception);
        }
    }

    /// <summary>Why a server that completed the TLS handshake then closed without answering the session handshake.</summary>
    public static string ExplainClosedAfterHandshake(Exception exception) =>
        $"the server ended the TLS connection without answering the session handshake; with TLS 1.3 this is how a refused client certificate shows ({exception.GetBaseException().Message})";

    private static string Explain(Exception exception)
    {
        var message = exception.GetBaseException().Message;
        return exception.GetBaseException() is IOException || message.Contains("EOF", StringComparison.OrdinalIgnoreCase) || message.Contains("closed", StringComparison.OrdinalIgnoreCase)
            ? $"the server closed the connection instead of answering in TLS; is this a plaintext port (clientPort) rather than the secureClientPort? ({message})"
            : message;
    }

    private static X509Certificate2Collection? LoadRoots(ZooKeeperTlsOptions tls)
    {
        if (string.IsNullOrEmpty(tls.CaPath))
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(tls.CaPath);
        return roots.Count > 0 ? roots : throw new IOException($"The ZooKeeper CA file {tls.CaPath} holds no certificate.");
    }

    private static SslStreamCertificateContext? LoadClientCertificate(ZooKeeperTlsOptions tls)
    {
        if (string.IsNullOrEmpty(tls.CertificatePath))
        {
            return null;
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath);
        }
        catch (CryptographicException exception)
        {
            throw new IOException($"The ZooKeeper client certificate {tls.CertificatePath} (key {tls.KeyPath}) could not be loaded: {exception.Message}", exception);
        }

        // Intermediate certificates in the same file travel with the leaf.
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(tls.CertificatePath);
        var intermediates = new X509Certificate2Collection(chain.Where(c => c.Thumbprint != leaf.Thumbprint).ToArray());
        return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    private static string? CheckServer(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection? roots, bool verifyHostname)
    {
        if (presented is null)
        {
            return "the server presented no certificate";
        }

        if (verifyHostname && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return "the server's certificate does not name the host we connected to (hostname verification)";
        }

        if (roots is null)
        {
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
            return errors == SslPolicyErrors.None ? null : $"the server's certificate is not trusted by the system ({errors})";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var leaf = presented as X509Certificate2 ?? new X509Certificate2(presented);
        try
        {
            return chain.Build(leaf)
                ? null
                : "the server's certificate is not signed by the configured CA (" + string.Join(", ", chain.ChainStatus.Select(s => s.Status)) + ")";
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }

            if (!ReferenceEquals(leaf, presented))
            {
                leaf.Dispose();
            }
        }
    }
}
