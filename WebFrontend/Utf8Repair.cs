using System.Text;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// Makes log bytes valid UTF-8 for a websocket text frame without changing their length: each byte of an
/// invalid sequence becomes '?'. Keeping the length keeps the page's byte count equal to the log's, so a
/// reconnect that resumes by offset neither repeats nor skips anything.
/// </summary>
public static class Utf8Repair
{
    public static byte[] ReplaceInvalid(ReadOnlySpan<byte> bytes)
    {
        var result = bytes.ToArray();
        var i = 0;
        while (i < result.Length)
        {
            var status = Rune.DecodeFromUtf8(result.AsSpan(i), out _, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                result.AsSpan(i, consumed).Fill((byte)'?');
            }

            i += consumed;
        }

        return result;
    }
}
