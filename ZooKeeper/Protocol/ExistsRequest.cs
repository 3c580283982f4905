using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record ExistsRequest(string Path, bool Watch) : IJuteRecord<ExistsRequest>
{
    public static ExistsRequest Read(ref JuteReader reader) => new(reader.ReadString() ?? string.Empty, reader.ReadBool());

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBool(Watch);
    }
}
