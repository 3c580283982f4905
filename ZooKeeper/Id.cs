using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper;

/// <summary>An authentication identity: a scheme (world, digest, ip, auth, ...) and an id in that scheme.</summary>
public sealed record Id(string Scheme, string Value) : IJuteRecord<Id>
{
    /// <summary>Everyone (<c>world:anyone</c>).</summary>
    public static Id AnyoneUnsafe { get; } = new("world", "anyone");

    /// <summary>Whoever is authenticated on the session creating the node (<c>auth:</c>).</summary>
    public static Id AuthenticatedCreator { get; } = new("auth", "");

    static Id IJuteRecord<Id>.Read(ref JuteReader reader) =>
        new(reader.ReadString() ?? string.Empty, reader.ReadString() ?? string.Empty);

    void IJuteRecord<Id>.Write(JuteWriter writer)
    {
        writer.WriteString(Scheme);
        writer.WriteString(Value);
    }
}
