using System.Net.Security;
using System.Security.Authentication;

namespace Zuul.LiveLog.Finger.Tls;

/// <summary>
/// The client side of TLS on finger streams: SNI = the target's registered hostname, the configured client
/// certificate, and the server checked against the configured CA (and its hostname, unless disabled).
/// Without settings it still speaks TLS to a TLS target, trusting the system's CAs.
/// </summary>
public sealed class TlsClientAuthenticator
{
    private readonly FingerTlsOptions _options;
    private readonly CertificateSource? _certificate;
    private readonly TrustAnchors? _trust;

    public TlsClientAuthenticator(FingerTlsOptions options)
    {
        _options = options;
        _certificate = options.Enabled ? new CertificateSource(options.Certificate!, options.Key!) : null;
        _trust = string.IsNullOrEmpty(options.Ca) ? null : new TrustAnchors(options.Ca);
    }

    /// <summary>Wraps <paramref name="inner"/> in TLS to <paramref name="host"/>; throws <see cref="FingerTlsException"/> on failure.</summary>
    public async Task<Stream> AuthenticateAsync(Stream inner, string host, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        string? refusal = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = TlsProtocols.Allowed,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            ClientCertificateContext = _certificate?.Context,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                refusal = _trust is not null
                    ? _trust.Check(certificate, errors, _options.VerifyHostnames)
                    : SystemTrust(errors);
                return refusal is null;
            },
        };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_options.HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cts.Token).ConfigureAwait(false);
            OpenSslBuffers.TryRelease(ssl);
            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var why = refusal ?? (ex is OperationCanceledException ? "no handshake within the timeout" : ex.GetBaseException().Message);
            throw new FingerTlsException($"TLS handshake with {host} failed: {why}", ex);
        }
    }

    private string? SystemTrust(SslPolicyErrors errors)
    {
        if (!_options.VerifyHostnames)
        {
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        }

        return errors == SslPolicyErrors.None ? null : $"server certificate refused ({errors})";
    }
}
