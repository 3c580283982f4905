using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>A zone-gateway registry entry, <c>/components/fingergw/&lt;hostname&gt;-&lt;seq&gt;</c> (PROTOCOL.md section 5).</summary>
public sealed record RegisteredGateway(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("hostname")] string Hostname,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("public_port")] int PublicPort,
    [property: JsonPropertyName("zone")] string? Zone,
    [property: JsonPropertyName("tls")] bool Tls,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("version")] string Version)
{
    public const string FingerGatewayKind = "fingergw";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses a node's data; null when it is not a valid entry (logged by the caller).</summary>
    public static RegisteredGateway? TryParse(ReadOnlySpan<byte> data)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<RegisteredGateway>(data, Json);
            return parsed is { Hostname.Length: > 0, Port: > 0 } ? parsed with { PublicPort = parsed.PublicPort > 0 ? parsed.PublicPort : parsed.Port } : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
