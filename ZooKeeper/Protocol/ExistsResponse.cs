using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record ExistsResponse(Stat Stat) : IJuteRecord<ExistsResponse>
{
    public static ExistsResponse Read(ref JuteReader reader) => new(JuteRecords.Read<Stat>(ref reader));

    public void Write(JuteWriter writer) => JuteRecords.Write(writer, Stat);
}
