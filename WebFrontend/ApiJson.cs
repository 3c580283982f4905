using System.Text.Json;
using System.Text.Json.Serialization;
using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>An API error body: <c>{"error": "..."}</c>.</summary>
public sealed record ApiError([property: JsonPropertyName("error")] string Error);

/// <summary>A build as the JSON API shows it; the executor's address only to admins (it is internal topology).</summary>
public sealed record BuildView(
    string Uuid, string Tenant, string State, string? Zone, string? Executor, int? LogPort, string? JobName,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Result)
{
    public static BuildView From(BuildInfo b, bool showExecutor) => new(
        b.Uuid, b.Tenant, b.State.ToString().ToLowerInvariant(), b.Zone, showExecutor ? b.ExecutorHostname : null, showExecutor ? b.LogPort : null,
        b.JobName, b.StartedAt, b.FinishedAt, b.Result);
}

/// <summary>A build event as server-sent to the console: <c>{"kind": "started"|"finished", "build": {...}}</c>.</summary>
public sealed record BuildEventView(string Kind, BuildView Build)
{
    public static BuildEventView From(BuildEvent e, bool showExecutor) => new(e.Kind.ToString().ToLowerInvariant(), BuildView.From(e.Build, showExecutor));
}

/// <summary>A tenant in <c>/api/tenants</c>: its name, whether reading it needs a token, and its builds (running and listed) when the caller may read it.</summary>
public sealed record TenantView(string Name, bool AuthRequired, int? RunningBuilds, int? ListedBuilds);

/// <summary>How the console logs in for a tenant: an OpenID Connect provider and the client it logs in as.</summary>
public sealed record LoginView(string Realm, string Issuer, string ClientId, string Scope);

/// <summary><c>/api/tenant/{t}/info</c>: whether the tenant needs a token, whether the caller may read it, and how to log in.</summary>
public sealed record TenantInfoView(string Tenant, bool AuthRequired, bool CanRead, bool Admin, LoginView? Login);

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
[JsonSerializable(typeof(List<TenantView>))]
[JsonSerializable(typeof(TenantInfoView))]
[JsonSerializable(typeof(BuildEventView))]
[JsonSerializable(typeof(List<GatewayView>))]
[JsonSerializable(typeof(ZoneView))]
[JsonSerializable(typeof(List<ZoneView>))]
internal sealed partial class ApiJson : JsonSerializerContext;
