namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Credentials sent on every connection of a session (ZooKeeper's addauth), e.g. digest <c>user:password</c>.</summary>
public sealed class ZooKeeperCredential(string scheme, byte[] auth)
{
    public string Scheme { get; } = string.IsNullOrEmpty(scheme) ? throw new ArgumentException("A scheme is required.", nameof(scheme)) : scheme;

    public byte[] Auth { get; } = auth ?? throw new ArgumentNullException(nameof(auth));

    /// <summary>Digest credentials: the server authenticates the session as <c>digest:user:base64(sha1(user:password))</c>.</summary>
    public static ZooKeeperCredential Digest(string user, string password) =>
        new("digest", System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"));

    /// <summary>Never the secret: credentials end up in logs through options dumps.</summary>
    public override string ToString() => $"{Scheme}:<redacted>";
}
