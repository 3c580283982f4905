using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

/// <summary>The server's answer to <see cref="ConnectRequest"/>; a timeout of zero or less means the session expired.</summary>
internal sealed record ConnectResponse(int ProtocolVersion, int TimeOut, long SessionId, byte[] Passwd, bool ReadOnly)
    : IJuteRecord<ConnectResponse>
{
    public static ConnectResponse Read(ref JuteReader reader) =>
        new(reader.ReadInt(), reader.ReadInt(), reader.ReadLong(), reader.ReadBuffer(), reader.Remaining > 0 && reader.ReadBool());

    public void Write(JuteWriter writer)
    {
        writer.WriteInt(ProtocolVersion);
        writer.WriteInt(TimeOut);
        writer.WriteLong(SessionId);
        writer.WriteBuffer(Passwd);
        writer.WriteBool(ReadOnly);
    }
}
