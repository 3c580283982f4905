using Orleans.Zuul.ZooKeeper.Jute;

namespace Orleans.Zuul.ZooKeeper.Protocol;

internal sealed record GetDataResponse(byte[] Data, Stat Stat) : IJuteRecord<GetDataResponse>
{
    public static GetDataResponse Read(ref JuteReader reader) => new(reader.ReadBuffer(), JuteRecords.Read<Stat>(ref reader));

    public void Write(JuteWriter writer)
    {
        writer.WriteBuffer(Data);
        JuteRecords.Write(writer, Stat);
    }
}
