using Orleans.Zuul.ZooKeeper.Jute;

namespace Orleans.Zuul.ZooKeeper.Protocol;

internal sealed record SyncRequest(string Path) : IJuteRecord<SyncRequest>
{
    public static SyncRequest Read(ref JuteReader reader) => new(reader.ReadString() ?? string.Empty);

    public void Write(JuteWriter writer) => writer.WriteString(Path);
}
