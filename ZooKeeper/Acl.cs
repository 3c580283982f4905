using System.Security.Cryptography;
using System.Text;
using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper;

/// <summary>One access-control entry: permissions granted to an identity.</summary>
public sealed record Acl(Permissions Perms, Id Id) : IJuteRecord<Acl>
{
    /// <summary>Everything for everyone (ZooDefs.Ids.OPEN_ACL_UNSAFE); the default for creates.</summary>
    public static IReadOnlyList<Acl> OpenUnsafe { get; } = [new(Permissions.All, Id.AnyoneUnsafe)];

    /// <summary>Read for everyone (ZooDefs.Ids.READ_ACL_UNSAFE).</summary>
    public static IReadOnlyList<Acl> ReadUnsafe { get; } = [new(Permissions.Read, Id.AnyoneUnsafe)];

    /// <summary>Everything for the identities authenticated on the creating session (ZooDefs.Ids.CREATOR_ALL_ACL).</summary>
    public static IReadOnlyList<Acl> CreatorAll { get; } = [new(Permissions.All, Id.AuthenticatedCreator)];

    /// <summary>A digest ACL for <paramref name="user"/>; the session must <c>AddAuthAsync("digest", "user:password")</c> to pass it.</summary>
    public static Acl Digest(string user, string password, Permissions perms = Permissions.All) =>
        new(perms, new Id("digest", DigestId(user, password)));

    /// <summary>The server's digest id: <c>user:base64(sha1("user:password"))</c>.</summary>
    public static string DigestId(string user, string password)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes($"{user}:{password}"));
        return $"{user}:{Convert.ToBase64String(hash)}";
    }

    static Acl IJuteRecord<Acl>.Read(ref JuteReader reader)
    {
        var perms = (Permissions)reader.ReadInt();
        return new Acl(perms, JuteRecords.Read<Id>(ref reader));
    }

    void IJuteRecord<Acl>.Write(JuteWriter writer)
    {
        writer.WriteInt((int)Perms);
        JuteRecords.Write(writer, Id);
    }
}
