using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record GetDataResponse(byte[] Data, Stat Stat) : IJuteRecord<GetDataResponse>
{
    public static GetDataResponse Read(ref JuteReader reader) => new(reader.ReadBuffer(), JuteRecords.Read<Stat>(ref reader));

    public void Write(JuteWriter writer)
    {
        writer.WriteBuffer(Data);
        JuteRecords.Write(writer, Stat);
    }
}
