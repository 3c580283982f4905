using Orleans.Zuul.ZooKeeper.Jute;

namespace Orleans.Zuul.ZooKeeper.Protocol;

internal sealed record GetChildren2Response(IReadOnlyList<string> Children, Stat Stat) : IJuteRecord<GetChildren2Response>
{
    public static GetChildren2Response Read(ref JuteReader reader) => new(reader.ReadStringVector(), JuteRecords.Read<Stat>(ref reader));

    public void Write(JuteWriter writer)
    {
        writer.WriteStringVector(Children);
        JuteRecords.Write(writer, Stat);
    }
}
