using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.WebFrontend.Auth;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// Zuul's tenant-scoped JSON API: <c>/api/tenants</c>, <c>/api/tenant/{t}/info</c>, <c>/api/tenant/{t}/builds</c>,
/// <c>/api/tenant/{t}/build/{uuid}</c>. A build exists only in its own tenant: under any other it is "not found",
/// exactly like an unknown build, so nothing tells another tenant's readers it exists.
/// </summary>
public static class TenantsApi
{
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tenants", async (HttpContext context, IBuildList list, TenantAccess access, AuthSettings settings, CancellationToken aborted) =>
        {
            if (settings.ReadProtected && context.User.Identity?.IsAuthenticated != true)
            {
                return ReadGate.Check(context, BuildRecords.DefaultTenant)!;
            }

            if (await LoadAsync(list, aborted) is not { } builds)
            {
                return NotLoaded();
            }

            var names = builds.Select(b => b.Tenant).Concat(access.ConfiguredTenants).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            return Results.Json(
                names.Select(name =>
                {
                    var readable = access.CanRead(context.User, name) == ReadDecision.Allowed;
                    var own = builds.Where(b => b.Tenant == name).ToList();
                    return new TenantView(name, access.RequiresLogin(name),
                        readable ? own.Count(b => b.State == BuildState.Running) : null, readable ? own.Count : null);
                }).ToList(),
                ApiJson.Default.ListTenantView);
        });

        var tenant = app.MapGroup("/api/tenant/{tenant}");
        tenant.MapGet("/info", (HttpContext context, string tenant, TenantAccess access) =>
        {
            if (!TenantName.IsValid(tenant))
            {
                return InvalidTenant(tenant);
            }

            var login = access.LoginRealm(tenant) is { } realm
                ? new LoginView(realm.Name, realm.Settings.IssuerId!, realm.Settings.ClientId!, realm.Settings.Scope)
                : null;
            return Results.Json(
                new TenantInfoView(tenant, access.RequiresLogin(tenant), access.CanRead(context.User, tenant) == ReadDecision.Allowed, access.IsAdmin(context.User), login),
                ApiJson.Default.TenantInfoView);
        });

        tenant.MapGet("/builds", async (HttpContext context, string tenant, string? state, IBuildList list, TenantAccess access, CancellationToken aborted) =>
        {
            if (Refuse(context, tenant) is { } refused)
            {
                return refused;
            }

            if (!TryParseState(state, out var wanted))
            {
                return ApiResults.BadRequest($"state '{ApiResults.Quote(state!)}' is not one of: running, finished, lost.");
            }

            if (await LoadAsync(list, aborted) is not { } builds)
            {
                return NotLoaded();
            }

            var admin = access.IsAdmin(context.User);
            return Results.Json(
                builds.Where(b => b.Tenant == tenant && (wanted is null || b.State == wanted)).Select(b => BuildView.From(b, admin)).ToList(),
                ApiJson.Default.ListBuildView);
        });

        tenant.MapGet("/build/{uuid}", async (HttpContext context, string tenant, string uuid, IGrainFactory grains, TenantAccess access) =>
        {
            if (Refuse(context, tenant) is { } refused)
            {
                return refused;
            }

            if (!BuildId.TryNormalize(uuid, out var id))
            {
                return ApiResults.BadRequest($"'{ApiResults.Quote(uuid)}' is not a valid build id (32 hex digits).");
            }

            var build = await grains.GetGrain<IBuildGrain>(id).GetAsync();
            return build is null || build.Tenant != tenant
                ? ApiResults.NotFound($"Build {id} not found.")
                : Results.Json(BuildView.From(build, access.IsAdmin(context.User)), ApiJson.Default.BuildView);
        });
        return app;
    }

    /// <summary>The answer for an invalid tenant name or a tenant the caller may not read; null when the request may go on.</summary>
    internal static IResult? Refuse(HttpContext context, string tenant) =>
        TenantName.IsValid(tenant) ? ReadGate.Check(context, tenant) : InvalidTenant(tenant);

    private static IResult InvalidTenant(string tenant) =>
        ApiResults.BadRequest($"'{ApiResults.Quote(tenant)}' is not a valid tenant name ({TenantName.Rule}).");

    private static IResult NotLoaded() =>
        ApiResults.Unavailable("The build list is not loaded yet (ZooKeeper unreachable); try again shortly.");

    private static async Task<IReadOnlyList<BuildInfo>?> LoadAsync(IBuildList list, CancellationToken aborted)
    {
        try
        {
            return await list.ListAsync(aborted);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The optional <c>state</c> filter: absent, <c>running</c> or <c>finished</c>.</summary>
    private static bool TryParseState(string? text, out BuildState? state)
    {
        state = text switch
        {
            null or "" => null,
            "running" => BuildState.Running,
            "finished" => BuildState.Finished,
            "lost" => BuildState.Lost,
            _ => BuildState.Unknown,
        };
        return state != BuildState.Unknown;
    }
}
