namespace Zuul.LiveLog.WebFrontend;

/// <summary>Where a chunk of UTF-8 can be cut without splitting a character.</summary>
public static class Utf8Boundary
{
    /// <summary>The length of the longest prefix of <paramref name="bytes"/> that does not end inside a multi-byte sequence.</summary>
    public static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        // A sequence is at most 4 bytes, so only the last 3 can belong to an unfinished one.
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // continuation byte: keep looking for the lead byte
            }

            var need = b switch
            {
                >= 0xF0 and <= 0xF7 => 4,
                >= 0xE0 => 3,
                >= 0xC0 => 2,
                _ => 1,
            };
            return need > back ? bytes.Length - back : bytes.Length;
        }

        return bytes.Length;
    }
}
