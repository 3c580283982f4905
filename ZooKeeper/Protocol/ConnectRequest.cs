using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

/// <summary>First frame of every connection; a non-zero session id asks to re-attach that session.</summary>
internal sealed record ConnectRequest(int ProtocolVersion, long LastZxidSeen, int TimeOut, long SessionId, ReadOnlyMemory<byte> Passwd, bool ReadOnly)
    : IJuteRecord<ConnectRequest>
{
    public static ConnectRequest Read(ref JuteReader reader) =>
        new(reader.ReadInt(), reader.ReadLong(), reader.ReadInt(), reader.ReadLong(), reader.ReadBuffer(), reader.Remaining > 0 && reader.ReadBool());

    public void Write(JuteWriter writer)
    {
        writer.WriteInt(ProtocolVersion);
        writer.WriteLong(LastZxidSeen);
        writer.WriteInt(TimeOut);
        writer.WriteLong(SessionId);
        writer.WriteBuffer(Passwd.Span);
        // Not in zookeeper.jute, but every 3.4+ server reads this trailing byte.
        writer.WriteBool(ReadOnly);
    }
}
