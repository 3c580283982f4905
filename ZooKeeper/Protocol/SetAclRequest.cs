using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record SetAclRequest(string Path, IReadOnlyList<Acl> Acl, int Version) : IJuteRecord<SetAclRequest>
{
    public static SetAclRequest Read(ref JuteReader reader) =>
        new(reader.ReadString() ?? string.Empty, JuteRecords.ReadVector<Acl>(ref reader), reader.ReadInt());

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        JuteRecords.WriteVector(writer, Acl);
        writer.WriteInt(Version);
    }
}
