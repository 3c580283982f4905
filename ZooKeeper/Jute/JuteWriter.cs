using System.Buffers.Binary;
using System.Text;

namespace Zuul.LiveLog.ZooKeeper.Jute;

/// <summary>Big-endian jute encoder into a growable buffer; also writes length-prefixed frames.</summary>
internal sealed class JuteWriter
{
    private byte[] _buffer;
    private int _length;
    private int _frameStart = -1;

    public JuteWriter(int initialCapacity = 256) => _buffer = new byte[Math.Max(16, initialCapacity)];

    public int Length => _length;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void Clear()
    {
        _length = 0;
        _frameStart = -1;
    }

    /// <summary>Reserves the 4-byte length prefix of a frame; <see cref="EndFrame"/> fills it in.</summary>
    public void BeginFrame()
    {
        _frameStart = _length;
        WriteInt(0);
    }

    /// <summary>Completes the frame and returns its payload length (without the prefix).</summary>
    public int EndFrame()
    {
        if (_frameStart < 0)
        {
            throw new InvalidOperationException("No frame was started.");
        }

        var payload = _length - _frameStart - 4;
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_frameStart), payload);
        _frameStart = -1;
        return payload;
    }

    public void WriteInt(int value) => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);

    public void WriteLong(long value) => BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value);

    public void WriteBool(bool value) => Reserve(1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>A jute ustring: length (-1 for null) then UTF-8 bytes.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt(-1);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteInt(count);
        Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    /// <summary>A jute buffer: length then bytes.</summary>
    public void WriteBuffer(ReadOnlySpan<byte> value)
    {
        WriteInt(value.Length);
        value.CopyTo(Reserve(value.Length));
    }

    public void WriteNullBuffer() => WriteInt(-1);

    public void WriteStringVector(IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            WriteInt(-1);
            return;
        }

        WriteInt(values.Count);
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
