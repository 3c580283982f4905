using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record GetChildren2Request(string Path, bool Watch) : IJuteRecord<GetChildren2Request>
{
    public static GetChildren2Request Read(ref JuteReader reader) => new(reader.ReadString() ?? string.Empty, reader.ReadBool());

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBool(Watch);
    }
}
