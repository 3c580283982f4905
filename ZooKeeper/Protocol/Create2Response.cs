using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record Create2Response(string Path, Stat Stat) : IJuteRecord<Create2Response>
{
    public static Create2Response Read(ref JuteReader reader) => new(reader.ReadString() ?? string.Empty, JuteRecords.Read<Stat>(ref reader));

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        JuteRecords.Write(writer, Stat);
    }
}
