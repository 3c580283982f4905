using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record GetAclResponse(IReadOnlyList<Acl> Acl, Stat Stat) : IJuteRecord<GetAclResponse>
{
    public static GetAclResponse Read(ref JuteReader reader) => new(JuteRecords.ReadVector<Acl>(ref reader), JuteRecords.Read<Stat>(ref reader));

    public void Write(JuteWriter writer)
    {
        JuteRecords.WriteVector(writer, Acl);
        JuteRecords.Write(writer, Stat);
    }
}
