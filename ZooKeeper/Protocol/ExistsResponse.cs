using Orleans.Zuul.ZooKeeper.Jute;

namespace Orleans.Zuul.ZooKeeper.Protocol;

internal sealed record ExistsResponse(Stat Stat) : IJuteRecord<ExistsResponse>
{
    public static ExistsResponse Read(ref JuteReader reader) => new(JuteRecords.Read<Stat>(ref reader));

    public void Write(JuteWriter writer) => JuteRecords.Write(writer, Stat);
}
