namespace Zuul.LiveLog.Finger.Tls;

/// <summary>Every problem with TLS settings, reported at start-up.</summary>
public static class FingerTlsValidation
{
    public static IReadOnlyList<string> Validate(FingerTlsOptions options, string section)
    {
        var errors = new List<string>();
        if (!options.Enabled)
        {
            if (!string.IsNullOrEmpty(options.Key) || options.ServerNames.Count > 0)
            {
                errors.Add($"{section}:Key or :ServerNames is set without {section}:Certificate.");
            }

            return errors;
        }

        RequireFile(options.Certificate, $"{section}:Certificate", errors);
        RequireFile(options.Key, $"{section}:Key", errors);
        if (!string.IsNullOrEmpty(options.Ca))
        {
            RequireFile(options.Ca, $"{section}:Ca", errors);
        }
        else if (options.RequireClientCertificate == true)
        {
            errors.Add($"{section}:RequireClientCertificate needs {section}:Ca to verify client certificates against.");
        }

        if (options.HandshakeTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:HandshakeTimeout must be positive.");
        }

        foreach (var (name, cert) in options.ServerNames)
        {
            RequireFile(cert.Certificate, $"{section}:ServerNames:{name}:Certificate", errors);
            RequireFile(cert.Key, $"{section}:ServerNames:{name}:Key", errors);
        }

        if (errors.Count == 0)
        {
            try
            {
                _ = new CertificateSource(options.Certificate!, options.Key!).Current;
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException or IOException)
            {
                errors.Add($"{section}:Certificate/{section}:Key could not be loaded as a PEM certificate and key: {ex.Message}");
            }
        }

        return errors;
    }

    private static void RequireFile(string? path, string key, List<string> errors)
    {
        if (string.IsNullOrEmpty(path))
        {
            errors.Add($"{key} is required when TLS is on.");
        }
        else if (!File.Exists(path))
        {
            errors.Add($"{key}: file '{path}' does not exist.");
        }
    }
}
