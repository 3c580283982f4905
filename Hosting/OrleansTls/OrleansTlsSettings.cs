using Microsoft.Extensions.Configuration;
using Zuul.LiveLog.Finger.Tls;

namespace Zuul.LiveLog.Hosting.OrleansTls;

/// <summary>
/// <c>Orleans:Tls:*</c>: mutual TLS on every Orleans connection of this process (a silo's silo and gateway ports and
/// its connections to other silos; a client's connections to gateways). PEM files, re-read when they change.
/// All three files or none: a peer is admitted when its certificate chains to <see cref="Ca"/>.
/// </summary>
public sealed class OrleansTlsSettings
{
    public const string Section = "Orleans:Tls";

    /// <summary>PEM certificate (chain) presented to peers, as server and as client; needs serverAuth and clientAuth usages.</summary>
    public string? Certificate { get; set; }

    /// <summary>PEM private key of <see cref="Certificate"/>.</summary>
    public string? Key { get; set; }

    /// <summary>PEM CA bundle: the only CAs whose certificates may join, connect or be connected to.</summary>
    public string? Ca { get; set; }

    /// <summary>Time a peer has to finish the TLS handshake.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool IsOn => !string.IsNullOrEmpty(Certificate) || !string.IsNullOrEmpty(Key) || !string.IsNullOrEmpty(Ca);

    public static OrleansTlsSettings FromConfiguration(IConfiguration configuration)
    {
        var settings = new OrleansTlsSettings();
        configuration.GetSection(Section).Bind(settings);
        return settings;
    }

    /// <summary>Every problem at once; a half-configured process names each missing key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IsOn)
        {
            return errors;
        }

        var missing = new[] { ("Certificate", Certificate), ("Key", Key), ("Ca", Ca) }.Where(k => string.IsNullOrEmpty(k.Item2)).Select(k => $"{Section}:{k.Item1}").ToList();
        if (missing.Count > 0)
        {
            errors.Add($"{Section} is half-configured: {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} missing (Certificate, Key and Ca go together).");
        }

        foreach (var (key, path) in new[] { ("Certificate", Certificate), ("Key", Key), ("Ca", Ca) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                errors.Add($"{Section}:{key}: file '{path}' does not exist.");
            }
        }

        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:HandshakeTimeout must be positive (got {HandshakeTimeout}).");
        }

        if (errors.Count == 0)
        {
            try
            {
                _ = new CertificateSource(Certificate!, Key!).Current;
                var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
                roots.ImportFromPemFile(Ca!);
                if (roots.Count == 0)
                {
                    errors.Add($"{Section}:Ca: '{Ca}' holds no PEM certificate.");
                }
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException or IOException)
            {
                errors.Add($"{Section}: the PEM files could not be loaded: {ex.Message}");
            }
        }

        return errors;
    }
}
