using System.Text.Json;
using System.Text.Json.Serialization;
using Zuul.LiveLog.Finger;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// The first message of a console-stream websocket (PROTOCOL.md section 6). Zuul's <c>logfile</c> is accepted and
/// ignored: a build has one streamed log (Zuul's log streamer, too, serves only <c>job-output.txt</c>). <c>token</c>
/// is the reader's bearer token (browsers cannot set headers on a websocket).
/// </summary>
public sealed record ConsoleStreamRequest(string Uuid, long Offset, string? Token = null)
{
    /// <summary>Parses and validates the client's JSON; returns null and a one-sentence reason when it is unusable.</summary>
    public static ConsoleStreamRequest? TryParse(ReadOnlySpan<byte> json, out string error)
    {
        Message? message;
        try
        {
            message = JsonSerializer.Deserialize(json, ConsoleStreamJson.Default.Message);
        }
        catch (JsonException)
        {
            error = "The first message must be a JSON object like {\"uuid\": \"<build id>\"}.";
            return null;
        }

        if (message?.Uuid is not { Length: > 0 } raw)
        {
            error = "The request has no \"uuid\".";
            return null;
        }

        if (!BuildId.TryNormalize(raw, out var id))
        {
            error = "The uuid is not a valid build id.";
            return null;
        }

        if (message.Offset is < 0)
        {
            error = "The offset must not be negative.";
            return null;
        }

        error = string.Empty;
        return new ConsoleStreamRequest(id, message.Offset ?? 0, message.Token is { Length: > 0 } token ? token : null);
    }

    internal sealed record Message(
        [property: JsonPropertyName("uuid")] string? Uuid,
        [property: JsonPropertyName("offset")] long? Offset,
        [property: JsonPropertyName("token")] string? Token = null);
}

[JsonSerializable(typeof(ConsoleStreamRequest.Message))]
internal sealed partial class ConsoleStreamJson : JsonSerializerContext;
