using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Zuul.LiveLog.Finger;

/// <summary>Reads the single request line of the finger protocol (PROTOCOL.md section 1).</summary>
public static class FingerRequestReader
{
    /// <summary>Zuul's limit on the request line, line feed included.</summary>
    public const int MaxLineLength = 1024;

    /// <summary>
    /// Reads up to the first LF and parses it. Bytes after the LF stay unconsumed in <paramref name="reader"/>.
    /// </summary>
    public static async ValueTask<FingerRequest> ReadAsync(PipeReader reader, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cts.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var lf = buffer.PositionOf((byte)'\n');
                if (lf is { } end)
                {
                    // Parse before advancing: the buffer's memory is not ours after AdvanceTo.
                    var request = Parse(buffer.Slice(0, end));
                    reader.AdvanceTo(buffer.GetPosition(1, end));
                    return request;
                }

                if (buffer.Length >= MaxLineLength)
                {
                    reader.AdvanceTo(buffer.End);
                    return new FingerRequest(FingerRequestStatus.TooLong, string.Empty, string.Empty);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    return new FingerRequest(FingerRequestStatus.ClientClosed, string.Empty, string.Empty);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FingerRequest(FingerRequestStatus.TimedOut, string.Empty, string.Empty);
        }
        catch (IOException)
        {
            // A reset, or a TLS client that refused our certificate and left: gone before asking for anything.
            return new FingerRequest(FingerRequestStatus.ClientClosed, string.Empty, string.Empty);
        }
    }

    /// <summary>Parses a request line without its LF.</summary>
    public static FingerRequest Parse(ReadOnlySequence<byte> line)
    {
        if (line.Length >= MaxLineLength)
        {
            return new FingerRequest(FingerRequestStatus.TooLong, string.Empty, string.Empty);
        }

        // Latin-1 maps every byte to one char, so garbage never throws and the error line echoes it faithfully.
        var text = Encoding.Latin1.GetString(line).AsSpan().Trim();
        if (text.StartsWith("/W ", StringComparison.Ordinal) || text.SequenceEqual("/W"))
        {
            text = text[2..].TrimStart();
        }

        var raw = Sanitize(text);
        return BuildId.TryNormalize(text, out var id)
            ? new FingerRequest(FingerRequestStatus.Ok, id, raw)
            : new FingerRequest(FingerRequestStatus.InvalidBuildId, string.Empty, raw);
    }

    /// <summary>Keeps an echoed id printable and short so error lines cannot inject control sequences.</summary>
    private static string Sanitize(ReadOnlySpan<char> text)
    {
        var limit = Math.Min(text.Length, 64);
        var sb = new StringBuilder(limit);
        foreach (var c in text[..limit])
        {
            sb.Append(c is >= ' ' and < (char)0x7f ? c : '?');
        }

        return sb.ToString();
    }
}
