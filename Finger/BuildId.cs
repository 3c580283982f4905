namespace Zuul.LiveLog.Finger;

/// <summary>Zuul build ids: 32 hex digits (uuid4 without dashes). Dashed uuids are normalised to that form.</summary>
public static class BuildId
{
    public const int Length = 32;

    /// <summary>Normalises <paramref name="raw"/> to 32 lowercase hex digits, or returns false.</summary>
    public static bool TryNormalize(ReadOnlySpan<char> raw, out string normalized)
    {
        normalized = string.Empty;
        Span<char> buffer = stackalloc char[Length];
        var n = 0;
        var dashed = raw.Length == 36;
        if (raw.Length != Length && !dashed)
        {
            return false;
        }

        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (dashed && (i == 8 || i == 13 || i == 18 || i == 23))
            {
                if (c != '-')
                {
                    return false;
                }

                continue;
            }

            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }

            buffer[n++] = char.ToLowerInvariant(c);
        }

        normalized = new string(buffer[..n]);
        return true;
    }
}
