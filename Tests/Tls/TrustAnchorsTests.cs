using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Zuul.LiveLog.Finger.Tls;

namespace Zuul.LiveLog.Tests.Tls;

/// <summary>The CA check shared by finger TLS and Orleans TLS: trusted, foreign and expired certificates, each told apart.</summary>
public sealed class TrustAnchorsTests
{
    [Fact]
    public void ValidForeignAndExpiredCertificatesGetDifferentAnswers()
    {
        using var pki = new TestPki();
        using var other = new TestPki("Some Other CA");
        var trust = new TrustAnchors(pki.CaPath);

        Assert.Null(Check(trust, pki.Issue("member")));
        Assert.StartsWith("certificate is not signed by the configured CA", Check(trust, other.Issue("stranger")), StringComparison.Ordinal);
        Assert.StartsWith("certificate is outside its validity period", Check(trust, pki.IssueExpired("old")), StringComparison.Ordinal);
    }

    private static string? Check(TrustAnchors trust, (string Certificate, string Key) issued)
    {
        using var certificate = X509Certificate2.CreateFromPemFile(issued.Certificate, issued.Key);
        return trust.Check(certificate, SslPolicyErrors.None, checkName: false);
    }
}
