using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

internal sealed record CreateRequest(string Path, ReadOnlyMemory<byte> Data, IReadOnlyList<Acl> Acl, int Flags) : IJuteRecord<CreateRequest>
{
    public static CreateRequest Read(ref JuteReader reader) =>
        new(reader.ReadString() ?? string.Empty, reader.ReadBuffer(), JuteRecords.ReadVector<Acl>(ref reader), reader.ReadInt());

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data.Span);
        JuteRecords.WriteVector(writer, Acl);
        writer.WriteInt(Flags);
    }
}
