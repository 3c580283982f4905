using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record CheckVersionRequest(string Path, int Version) : IJuteRecord<CheckVersionRequest>
{
    public static CheckVersionRequest Read(ref JuteReader reader) => new(reader.ReadString() ?? string.Empty, reader.ReadInt());

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt(Version);
    }
}
