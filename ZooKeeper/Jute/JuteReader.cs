using System.Buffers.Binary;
using System.Text;

namespace Zuul.LiveLog.ZooKeeper.Jute;

/// <summary>Big-endian jute decoder over one received frame; every length is checked against what is left.</summary>
internal ref struct JuteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public JuteReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadLong() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public bool ReadBool() => Take(1)[0] != 0;

    public string? ReadString()
    {
        var length = ReadInt();
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>Reads a jute buffer; null (-1) comes back as an empty array, as callers never need the difference.</summary>
    public byte[] ReadBuffer()
    {
        var length = ReadInt();
        return length <= 0 ? [] : Take(length).ToArray();
    }

    public IReadOnlyList<string> ReadStringVector()
    {
        var count = ReadInt();
        if (count <= 0)
        {
            return [];
        }

        // Each element needs at least its 4-byte length, so a corrupt count cannot allocate wildly.
        if (count > Remaining / 4)
        {
            throw new JuteException($"Vector of {count} strings does not fit in {Remaining} bytes.");
        }

        var items = new string[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = ReadString() ?? string.Empty;
        }

        return items;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new JuteException($"Needed {count} bytes at offset {_position}, only {Remaining} left.");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
