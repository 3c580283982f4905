namespace Zuul.LiveLog.ZooKeeper.Jute;

/// <summary>Generic read/write helpers so explicit interface implementations stay callable.</summary>
internal static class JuteRecords
{
    public static T Read<T>(ref JuteReader reader)
        where T : IJuteRecord<T> => T.Read(ref reader);

    public static void Write<T>(JuteWriter writer, T record)
        where T : IJuteRecord<T> => record.Write(writer);

    public static T Decode<T>(ReadOnlySpan<byte> bytes)
        where T : IJuteRecord<T>
    {
        var reader = new JuteReader(bytes);
        return T.Read(ref reader);
    }

    public static byte[] Encode<T>(T record)
        where T : IJuteRecord<T>
    {
        var writer = new JuteWriter();
        record.Write(writer);
        return writer.WrittenSpan.ToArray();
    }

    public static IReadOnlyList<T> ReadVector<T>(ref JuteReader reader)
        where T : IJuteRecord<T>
    {
        var count = reader.ReadInt();
        if (count <= 0)
        {
            return [];
        }

        if (count > reader.Remaining / 4)
        {
            throw new JuteException($"Vector of {count} records does not fit in {reader.Remaining} bytes.");
        }

        var items = new T[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = T.Read(ref reader);
        }

        return items;
    }

    public static void WriteVector<T>(JuteWriter writer, IReadOnlyList<T>? items)
        where T : IJuteRecord<T>
    {
        if (items is null)
        {
            writer.WriteInt(-1);
            return;
        }

        writer.WriteInt(items.Count);
        foreach (var item in items)
        {
            item.Write(writer);
        }
    }
}
