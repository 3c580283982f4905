using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

/// <summary>Re-arms watches after a reconnect; the server fires those whose node changed after <see cref="RelativeZxid"/>.</summary>
internal sealed record SetWatches(long RelativeZxid, IReadOnlyList<string> DataWatches, IReadOnlyList<string> ExistWatches, IReadOnlyList<string> ChildWatches)
    : IJuteRecord<SetWatches>
{
    public static SetWatches Read(ref JuteReader reader) =>
        new(reader.ReadLong(), reader.ReadStringVector(), reader.ReadStringVector(), reader.ReadStringVector());

    public void Write(JuteWriter writer)
    {
        writer.WriteLong(RelativeZxid);
        writer.WriteStringVector(DataWatches);
        writer.WriteStringVector(ExistWatches);
        writer.WriteStringVector(ChildWatches);
    }
}
