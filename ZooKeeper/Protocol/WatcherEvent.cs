using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

/// <summary>A notification (xid -1): what happened, the session state, and the server-side path.</summary>
internal sealed record WatcherEvent(int Type, int State, string Path) : IJuteRecord<WatcherEvent>
{
    public static WatcherEvent Read(ref JuteReader reader) => new(reader.ReadInt(), reader.ReadInt(), reader.ReadString() ?? string.Empty);

    public void Write(JuteWriter writer)
    {
        writer.WriteInt(Type);
        writer.WriteInt(State);
        writer.WriteString(Path);
    }
}
