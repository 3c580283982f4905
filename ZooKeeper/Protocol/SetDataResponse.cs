using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record SetDataResponse(Stat Stat) : IJuteRecord<SetDataResponse>
{
    public static SetDataResponse Read(ref JuteReader reader) => new(JuteRecords.Read<Stat>(ref reader));

    public void Write(JuteWriter writer) => JuteRecords.Write(writer, Stat);
}
