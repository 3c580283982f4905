using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Zuul.LiveLog.Tests.Tls;

/// <summary>A throwaway CA issuing server and client certificates, written as PEM files to a temp directory.</summary>
public sealed class TestPki : IDisposable
{
    private readonly X509Certificate2 _ca;

    public TestPki(string name = "Orleans.Zuul Test CA")
    {
        Directory = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "pki-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(30));
        CaPath = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(CaPath, _ca.ExportCertificatePem());
    }

    public string Directory { get; }

    public string CaPath { get; }

    /// <summary>Issues a certificate for <paramref name="dnsNames"/> (and 127.0.0.1); returns the PEM paths.</summary>
    public (string Certificate, string Key) Issue(string fileName, params string[] dnsNames) =>
        IssueWithSubject(fileName, $"CN={(dnsNames.Length > 0 ? dnsNames[0] : fileName)}", dnsNames);

    /// <summary>Issues a certificate with the subject <paramref name="subject"/> (e.g. <c>CN=orleans-zuul, O=Example</c>), for <paramref name="dnsNames"/> and 127.0.0.1.</summary>
    public (string Certificate, string Key) IssueWithSubject(string fileName, string subject, params string[] dnsNames) =>
        IssueWithSubject(fileName, subject, includeLoopback: true, dnsNames);

    /// <summary>As above; without <paramref name="includeLoopback"/> the certificate names only <paramref name="dnsNames"/>.</summary>
    public (string Certificate, string Key) IssueWithSubject(string fileName, string subject, bool includeLoopback, params string[] dnsNames) =>
        Issue(fileName, subject, includeLoopback, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), dnsNames);

    /// <summary>A certificate of this CA that expired yesterday.</summary>
    public (string Certificate, string Key) IssueExpired(string fileName) =>
        Issue(fileName, $"CN={fileName}", true, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(-1), []);

    private (string Certificate, string Key) Issue(string fileName, string subject, bool includeLoopback, DateTimeOffset notBefore, DateTimeOffset notAfter, string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        if (includeLoopback)
        {
            san.AddIpAddress(IPAddress.Loopback);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client auth
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var cert = request.Create(_ca, notBefore, notAfter, serial);
        var certPath = Path.Combine(Directory, fileName + ".pem");
        var keyPath = Path.Combine(Directory, fileName + ".key");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }

    /// <summary>Key and certificate in one PEM file, the way ZooKeeper's PEM key store wants them.</summary>
    public string KeyStore(string fileName, (string Certificate, string Key) issued)
    {
        var path = Path.Combine(Directory, fileName + "-keystore.pem");
        File.WriteAllText(path, File.ReadAllText(issued.Key) + File.ReadAllText(issued.Certificate));
        return path;
    }

    public void Dispose()
    {
        _ca.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
