using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record GetDataRequest(string Path, bool Watch) : IJuteRecord<GetDataRequest>
{
    public static GetDataRequest Read(ref JuteReader reader) => new(reader.ReadString() ?? string.Empty, reader.ReadBool());

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBool(Watch);
    }
}
