using Zuul.LiveLog.Finger.Tls;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Tls;

public class CertificateSourceTests
{
    [Fact]
    public async Task RotatedCertificateIsPickedUpWithoutRestart()
    {
        using var pki = new TestPki();
        var first = pki.Issue("gw", "gw.test");
        var source = new CertificateSource(first.Certificate, first.Key);
        var reloaded = 0;
        source.Reloaded += _ => Interlocked.Increment(ref reloaded);
        var before = source.Current.Thumbprint;

        // Rotate in place, as cert-manager or a cron job would.
        var second = pki.Issue("gw-next", "gw.test");
        File.Copy(second.Certificate, first.Certificate, overwrite: true);
        File.Copy(second.Key, first.Key, overwrite: true);
        File.SetLastWriteTimeUtc(first.Certificate, DateTime.UtcNow.AddSeconds(5));

        await Eventually.UntilAsync(() => source.Current.Thumbprint != before, "the new certificate to be loaded", TimeSpan.FromSeconds(20));
        Assert.Equal(1, reloaded);
    }

    [Fact]
    public async Task ACertificateThatLandsBeforeItsKeyKeepsTheLastGoodPairUntilTheKeyFollows()
    {
        using var pki = new TestPki();
        var first = pki.Issue("gw", "gw.test");
        var source = new CertificateSource(first.Certificate, first.Key);
        var failures = new List<Exception>();
        source.ReloadFailed += e => { lock (failures) { failures.Add(e); } };
        var before = source.Current.Thumbprint;

        // Half a rotation: the new certificate is in place, its key is not (the old key does not match it).
        var second = pki.Issue("gw-next", "gw.test");
        File.Copy(second.Certificate, first.Certificate, overwrite: true);
        File.SetLastWriteTimeUtc(first.Certificate, DateTime.UtcNow.AddSeconds(5));
        await Eventually.UntilAsync(() => { _ = source.Current; lock (failures) { return failures.Count > 0; } }, "the half-rotated pair to be tried", TimeSpan.FromSeconds(20));
        Assert.Equal(before, source.Current.Thumbprint);
        Assert.True(source.Context.TargetCertificate.HasPrivateKey);
        Assert.Equal(before, source.Context.TargetCertificate.Thumbprint);

        // The key follows: the new pair loads at a later check.
        File.Copy(second.Key, first.Key, overwrite: true);
        File.SetLastWriteTimeUtc(first.Key, DateTime.UtcNow.AddSeconds(10));
        using var expected = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(second.Certificate, second.Key);
        await Eventually.UntilAsync(() => source.Current.Thumbprint == expected.Thumbprint, "the completed rotation to be loaded", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void ValidationReportsEveryMissingFile()
    {
        var errors = FingerTlsValidation.Validate(
            new FingerTlsOptions { Certificate = "/nonexistent/cert.pem", Ca = "/nonexistent/ca.pem", HandshakeTimeout = TimeSpan.Zero },
            "FingerGateway:Tls");
        Assert.Contains(errors, e => e.Contains("FingerGateway:Tls:Certificate", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("FingerGateway:Tls:Key is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("FingerGateway:Tls:Ca", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("HandshakeTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void RequiringClientCertificatesWithoutACaIsAnError()
    {
        using var pki = new TestPki();
        var cert = pki.Issue("gw", "gw.test");
        var errors = FingerTlsValidation.Validate(
            new FingerTlsOptions { Certificate = cert.Certificate, Key = cert.Key, RequireClientCertificate = true }, "X");
        Assert.Equal(["X:RequireClientCertificate needs X:Ca to verify client certificates against."], errors);
    }
}
