using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Zuul.LiveLog.Finger.Tls;

namespace Zuul.LiveLog.Hosting.OrleansTls;

/// <summary>
/// The one admission rule of Orleans connections: the peer's certificate chains to <c>Orleans:Tls:Ca</c> and is
/// valid now. No name is checked: silos and gateways are reached by IP address, the CA is the membership list.
/// </summary>
internal sealed class PeerCertificateCheck(string caPath)
{
    private readonly TrustAnchors _trust = new(caPath);

    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var refusal = _trust.Check(certificate, errors, checkName: false);
        if (refusal is not null && TlsAttempt.Current is { } attempt)
        {
            attempt.Refusal = $"certificate '{certificate.Subject}' refused: {refusal}";
        }

        return refusal is null;
    }
}
