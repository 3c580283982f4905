namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary><c>ZooKeeper:Auth:*</c>: credentials the session presents, sent again on every reconnect.</summary>
public sealed class ZooKeeperAuthSettings
{
    /// <summary>
    /// <c>user:password</c> for ZooKeeper's digest scheme; the same for every process of a deployment, so they share
    /// one identity. Never logged. Over plaintext the password crosses the network in clear: use it with TLS.
    /// </summary>
    [Redact]
    public string? Digest { get; set; }

    /// <summary>The user part of <see cref="Digest"/> (safe to log).</summary>
    public string? DigestUser => Digest is { } digest && digest.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon ? digest[..colon] : null;

    public override string ToString() => Digest is null ? "(none)" : $"digest {DigestUser ?? "?"}:<redacted>";

    internal IReadOnlyList<ZooKeeperCredential> ToCredentials()
    {
        if (string.IsNullOrEmpty(Digest) || DigestUser is not { } user)
        {
            return [];
        }

        return [ZooKeeperCredential.Digest(user, Digest[(user.Length + 1)..])];
    }

    /// <summary>The identity the server gives a session with <see cref="Digest"/>, or null.</summary>
    internal Id? DigestId => DigestUser is { } user ? new Id("digest", Acl.DigestId(user, Digest![(user.Length + 1)..])) : null;
}
