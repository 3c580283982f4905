using System.Text.Json;
using System.Text.Json.Serialization;
using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.WebFrontend;

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

/// <summary>A build event as server-sent to the console: <c>{"kind": "started"|"finished", "build": {...}}</c>.</summary>
public sealed record BuildEventView(string Kind, BuildView Build)
{
    public static BuildEventView From(BuildEvent e) => new(e.Kind.ToString().ToLowerInvariant(), BuildView.From(e.Build));
}

/// <summary>A finger gateway registered for a zone.</summary>
public sealed record GatewayView(string Hostname, int Port, bool Tls, string? Zone, string State)
{
    public static GatewayView From(GatewayEndpoint g) => new(g.Hostname, g.Port, g.Tls, g.Zone, g.State.ToString().ToLowerInvariant());
}

/// <summary>An executor, as known from the builds it ran (running and recent).</summary>
public sealed record ExecutorView(string Hostname, int LogPort, int RunningBuilds, DateTimeOffset LastBuildStartedAt);

/// <summary>A zone with its gateways, executors and running builds; <c>zone</c> null for the un-zoned executors.</summary>
public sealed record ZoneView(string? Zone, List<GatewayView> Gateways, List<ExecutorView> Executors, List<BuildView> RunningBuilds);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(BuildView))]
[JsonSerializable(typeof(List<BuildView>))]
[JsonSerializable(typeof(BuildEventView))]
[JsonSerializable(typeof(List<GatewayView>))]
[JsonSerializable(typeof(ZoneView))]
[JsonSerializable(typeof(List<ZoneView>))]
internal sealed partial class ApiJson : JsonSerializerContext;
