using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Zuul.LiveLog.Finger.Tls;

/// <summary>
/// A PEM certificate and key loaded from disk and re-loaded when either file changes, so certificates
/// can be rotated without a restart. The check is one stat per handshake, at most once a second.
/// A rotation is two file writes: between them (say the certificate landed, the key not yet) the pair does not load;
/// the last good pair keeps serving and the load is tried again at the next check.
/// </summary>
public sealed class CertificateSource(string certificatePath, string keyPath)
{
    private readonly Lock _lock = new();
    private SslStreamCertificateContextHolder? _context;
    private (DateTime Cert, DateTime Key) _stamp;
    private long _lastCheck;

    /// <summary>Raised after a changed certificate was loaded (argument: the new certificate).</summary>
    public event Action<X509Certificate2>? Reloaded;

    /// <summary>Raised when changed files did not load; the previous certificate stays in use.</summary>
    public event Action<Exception>? ReloadFailed;

    public X509Certificate2 Current => Refresh().Certificate;

    /// <summary>The certificate with its chain, ready for an <see cref="System.Net.Security.SslStream"/> server.</summary>
    public System.Net.Security.SslStreamCertificateContext Context => Refresh().Context;

    private SslStreamCertificateContextHolder Refresh()
    {
        var now = Environment.TickCount64;
        var holder = _context;
        if (holder is not null && now - Interlocked.Read(ref _lastCheck) < 1000)
        {
            return holder;
        }

        lock (_lock)
        {
            Interlocked.Exchange(ref _lastCheck, now);
            var stamp = (File.GetLastWriteTimeUtc(certificatePath), File.GetLastWriteTimeUtc(keyPath));
            if (_context is not null && stamp == _stamp)
            {
                return _context;
            }

            SslStreamCertificateContextHolder next;
            try
            {
                next = Load();
            }
            catch (Exception ex) when (_context is not null && ex is CryptographicException or IOException or ArgumentException or UnauthorizedAccessException)
            {
                // Half-rotated (or unreadable for now): keep serving the last good pair; the stamp is not taken, so the
                // next check tries again.
                ReloadFailed?.Invoke(ex);
                return _context;
            }

            var reloaded = _context is not null;
            _stamp = stamp;
            _context = next;
            if (reloaded)
            {
                Reloaded?.Invoke(next.Certificate);
            }

            return _context;
        }
    }

    private SslStreamCertificateContextHolder Load()
    {
        var loaded = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // Intermediate certificates in the PEM file travel with the leaf.
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(certificatePath);
        var intermediates = new X509Certificate2Collection(chain.Where(c => c.Thumbprint != loaded.Thumbprint).ToArray());
        return new SslStreamCertificateContextHolder(loaded, System.Net.Security.SslStreamCertificateContext.Create(loaded, intermediates, offline: true));
    }

    private sealed record SslStreamCertificateContextHolder(X509Certificate2 Certificate, System.Net.Security.SslStreamCertificateContext Context);
}
