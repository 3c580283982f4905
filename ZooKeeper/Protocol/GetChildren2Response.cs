using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record GetChildren2Response(IReadOnlyList<string> Children, Stat Stat) : IJuteRecord<GetChildren2Response>
{
    public static GetChildren2Response Read(ref JuteReader reader) => new(reader.ReadStringVector(), JuteRecords.Read<Stat>(ref reader));

    public void Write(JuteWriter writer)
    {
        writer.WriteStringVector(Children);
        JuteRecords.Write(writer, Stat);
    }
}
