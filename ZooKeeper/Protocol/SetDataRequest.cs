using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record SetDataRequest(string Path, ReadOnlyMemory<byte> Data, int Version) : IJuteRecord<SetDataRequest>
{
    public static SetDataRequest Read(ref JuteReader reader) => new(reader.ReadString() ?? string.Empty, reader.ReadBuffer(), reader.ReadInt());

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data.Span);
        writer.WriteInt(Version);
    }
}
