using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Zuul.LiveLog.Finger.Tls;

/// <summary>Verifies peer certificates against the configured CA only (not the system store).</summary>
public sealed class TrustAnchors(string caPath)
{
    private readonly Lock _lock = new();
    private X509Certificate2Collection? _roots;
    private DateTime _stamp;

    /// <summary>Why a peer's certificate is refused, or null when it is trusted.</summary>
    public string? Check(X509Certificate? certificate, SslPolicyErrors errors, bool checkName)
    {
        if (certificate is null)
        {
            return "no certificate presented";
        }

        if (checkName && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return "certificate does not name the host";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Roots());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        try
        {
            if (chain.Build(leaf))
            {
                return null;
            }

            // An expired certificate of the right CA is told apart: renewing it is the fix, not another CA.
            return chain.ChainStatus.All(s => s.Status == X509ChainStatusFlags.NotTimeValid)
                ? $"certificate is outside its validity period ({leaf.NotBefore.ToUniversalTime():u} to {leaf.NotAfter.ToUniversalTime():u})"
                : "certificate is not signed by the configured CA (" + string.Join(", ", chain.ChainStatus.Select(s => s.Status)) + ")";
        }
        finally
        {
            // The chain's certificates are copies with native memory; free it now rather than at some later finalization.
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }

            if (!ReferenceEquals(leaf, certificate))
            {
                leaf.Dispose();
            }
        }
    }

    private X509Certificate2Collection Roots()
    {
        lock (_lock)
        {
            var stamp = File.GetLastWriteTimeUtc(caPath);
            if (_roots is null || stamp != _stamp)
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(caPath);
                _roots = roots;
                _stamp = stamp;
            }

            return _roots;
        }
    }
}
