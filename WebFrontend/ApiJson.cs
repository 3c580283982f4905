using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Zuul.Grains;

namespace Orleans.Zuul.WebFrontend;

/// <summary>An API error body: <c>{"error": "..."}</c>.</summary>
public sealed record ApiError([property: JsonPropertyName("error")] string Error);

/// <summary>A build as the JSON API shows it.</summary>
public sealed record BuildView(
    string Uuid, string State, string? Zone, string Executor, int LogPort, string? JobName,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Result)
{
    public static BuildView From(BuildInfo b) => new(
        b.Uuid, b.State.ToString().ToLowerInvariant(), b.Zone, b.ExecutorHostname, b.LogPort, b.JobName, b.StartedAt, b.FinishedAt, b.Result);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(BuildView))]
[JsonSerializable(typeof(List<BuildView>))]
internal sealed partial class ApiJson : JsonSerializerContext;
