using System.Security.Cryptography;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// The one rule for who owns what this process creates in ZooKeeper: the owners of <c>ZooKeeper:Acl</c> (or this
/// process's own identities) get every permission, everybody else reads (or nothing, with <c>RestrictReads</c>).
/// </summary>
public static class DeploymentAcl
{
    /// <summary>The owners: <c>ZooKeeper:Acl:Owners</c>, else the digest identity and the client certificate's x509 identity.</summary>
    public static IReadOnlyList<Id> Owners(ZooKeeperOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Acl.Owners.Count > 0)
        {
            return [.. options.Acl.Owners.Select(o => ParseOwner(o) ?? throw new FormatException($"'{o}' is not scheme:id"))];
        }

        var owners = new List<Id>();
        if (options.Auth.DigestId is { } digest)
        {
            owners.Add(digest);
        }

        if (options.Tls.IsOn && !string.IsNullOrEmpty(options.Tls.Certificate))
        {
            owners.Add(X509Identity.OfPemFile(options.Tls.Certificate));
        }

        return owners;
    }

    /// <summary>The ACL for new nodes, or null (open, as before) when there is no owner.</summary>
    public static IReadOnlyList<Acl>? For(ZooKeeperOptions options)
    {
        var owners = Owners(options);
        if (owners.Count == 0)
        {
            return null;
        }

        var acl = owners.Select(o => new Acl(Permissions.All, o)).ToList();
        if (!options.Acl.RestrictReads)
        {
            acl.Add(new Acl(Permissions.Read, Id.AnyoneUnsafe));
        }

        return acl;
    }

    /// <summary><c>scheme:id</c> (the id may contain colons, as digest ids do), or null.</summary>
    public static Id? ParseOwner(string owner)
    {
        var colon = owner.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < owner.Length - 1 ? new Id(owner[..colon], owner[(colon + 1)..]) : null;
    }

    /// <summary>Every problem with <c>ZooKeeper:Tls</c>, <c>:Auth</c> and <c>:Acl</c>; never echoes the digest password.</summary>
    internal static List<string> Errors(ZooKeeperOptions options)
    {
        var errors = new List<string>();
        var tls = options.Tls;
        if (!string.IsNullOrEmpty(tls.Certificate) != !string.IsNullOrEmpty(tls.Key))
        {
            errors.Add("ZooKeeper:Tls:Certificate and ZooKeeper:Tls:Key go together; " +
                (string.IsNullOrEmpty(tls.Key) ? "ZooKeeper:Tls:Key is missing." : "ZooKeeper:Tls:Certificate is missing."));
        }

        if (tls.IsOn)
        {
            var filesExist = RequireFileIfSet(tls.Ca, "ZooKeeper:Tls:Ca", errors)
                & RequireFileIfSet(tls.Certificate, "ZooKeeper:Tls:Certificate", errors)
                & RequireFileIfSet(tls.Key, "ZooKeeper:Tls:Key", errors);
            if (filesExist)
            {
                CheckPem(tls, errors);
            }
        }
        else if (!string.IsNullOrEmpty(tls.Key))
        {
            errors.Add("ZooKeeper:Tls:Key is set but TLS is off (ZooKeeper:Tls:Enabled is false).");
        }

        if (options.Auth.Digest is { } digest && (digest.IndexOf(':', StringComparison.Ordinal) is <= 0 || digest.EndsWith(':')))
        {
            errors.Add("ZooKeeper:Auth:Digest must be user:password with neither part empty (the value is not shown).");
        }

        foreach (var owner in options.Acl.Owners.Where(o => ParseOwner(o) is null))
        {
            errors.Add($"ZooKeeper:Acl:Owners: '{owner}' is not scheme:id (e.g. x509:CN=orleans-zuul or digest:user:hash).");
        }

        var hasOwner = options.Acl.Owners.Count > 0 || options.Auth.DigestUser is not null || (tls.IsOn && !string.IsNullOrEmpty(tls.Certificate));
        if (options.Acl.RestrictReads && !hasOwner)
        {
            errors.Add("ZooKeeper:Acl:RestrictReads needs an owner: ZooKeeper:Auth:Digest, a client certificate (ZooKeeper:Tls:Certificate) or ZooKeeper:Acl:Owners.");
        }

        return errors;
    }

    private static bool RequireFileIfSet(string? path, string key, List<string> errors)
    {
        if (string.IsNullOrEmpty(path) || File.Exists(path))
        {
            return true;
        }

        errors.Add($"{key}: file '{path}' does not exist.");
        return false;
    }

    private static void CheckPem(ZooKeeperTlsSettings tls, List<string> errors)
    {
        try
        {
            if (!string.IsNullOrEmpty(tls.Ca))
            {
                var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
                roots.ImportFromPemFile(tls.Ca);
                if (roots.Count == 0)
                {
                    errors.Add($"ZooKeeper:Tls:Ca: '{tls.Ca}' holds no PEM certificate.");
                }
            }

            if (!string.IsNullOrEmpty(tls.Certificate) && !string.IsNullOrEmpty(tls.Key))
            {
                using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(tls.Certificate, tls.Key);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException)
        {
            errors.Add($"ZooKeeper:Tls: the PEM files could not be loaded: {ex.Message}");
        }
    }
}
