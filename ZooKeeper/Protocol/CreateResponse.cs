using Orleans.Zuul.ZooKeeper.Jute;

namespace Orleans.Zuul.ZooKeeper.Protocol;

internal sealed record CreateResponse(string Path) : IJuteRecord<CreateResponse>
{
    public static CreateResponse Read(ref JuteReader reader) => new(reader.ReadString() ?? string.Empty);

    public void Write(JuteWriter writer) => writer.WriteString(Path);
}
