using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// An executor's liveness lease, <c>/components/executor/&lt;hostname&gt;-&lt;seq&gt;</c> (PROTOCOL.md section 5): JSON
/// naming the log streamer its builds are registered with. Present while the executor's session lives.
/// </summary>
public sealed record RegisteredExecutor(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("hostname")] string Hostname,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("zone")] string? Zone,
    [property: JsonPropertyName("version")] string Version)
{
    public const string ExecutorKind = "executor";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses a node's data; null when it is not a valid entry.</summary>
    public static RegisteredExecutor? TryParse(ReadOnlySpan<byte> data)
    {
        try
        {
            return JsonSerializer.Deserialize<RegisteredExecutor>(data, Json) is { Hostname.Length: > 0, Port: > 0 } parsed ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
