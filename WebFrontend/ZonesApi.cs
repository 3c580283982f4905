using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.WebFrontend.Auth;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// Where builds run: zones with their registered gateways (from each zone's <see cref="IZoneGatewayGrain"/>),
/// executors and running builds, and the un-zoned executors; zones and builds from the <see cref="IBuildList"/>. Executors are known from the builds they
/// ran (the build list keeps running and recent builds). Admins only (<see cref="ReadGate.CheckAdmin"/>): the addresses are internal topology.
/// </summary>
public static class ZonesApi
{
    public static IEndpointRouteBuilder MapZonesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/zones", async (HttpContext context, IGrainFactory grains, IBuildList list, CancellationToken aborted) =>
            ReadGate.CheckAdmin(context) ?? Results.Json(await ListZonesAsync(grains, list, aborted), ApiJson.Default.ListZoneView));

        app.MapGet("/api/zones/{zone}", async (HttpContext context, string zone, IGrainFactory grains, IBuildList list, CancellationToken aborted) =>
        {
            if (ReadGate.CheckAdmin(context) is { } refused)
            {
                return refused;
            }

            if (!ZoneName.IsValid(zone))
            {
                return ApiResults.BadRequest($"'{ApiResults.Quote(zone)}' is not a valid zone name ({ZoneName.Rule}).");
            }

            var view = (await ListZonesAsync(grains, list, aborted)).FirstOrDefault(z => z.Zone == zone);
            return view is null
                ? ApiResults.NotFound($"Zone {zone} not found.")
                : Results.Json(view, ApiJson.Default.ZoneView);
        });

        app.MapGet("/api/gateways", async (HttpContext context, string? zone, IGrainFactory grains, IBuildList list, CancellationToken aborted) =>
        {
            if (ReadGate.CheckAdmin(context) is { } refused)
            {
                return refused;
            }

            if (zone is not null && !ZoneName.IsValid(zone))
            {
                return ApiResults.BadRequest($"'{ApiResults.Quote(zone)}' is not a valid zone name ({ZoneName.Rule}).");
            }

            var zones = await ListZonesAsync(grains, list, aborted);
            if (zone is not null && zones.All(z => z.Zone != zone))
            {
                return ApiResults.NotFound($"Zone {zone} not found.");
            }

            return Results.Json(
                zones.Where(z => zone is null || z.Zone == zone).SelectMany(z => z.Gateways).ToList(),
                ApiJson.Default.ListGatewayView);
        });
        return app;
    }

    /// <summary>Every known zone, sorted by name, then the un-zoned executors (zone null).</summary>
    public static async Task<List<ZoneView>> ListZonesAsync(IGrainFactory grains, IBuildList list, CancellationToken cancellationToken)
    {
        var namesTask = list.ZonesAsync(cancellationToken);
        var buildsTask = list.ListAsync(cancellationToken);
        var builds = await buildsTask;
        var names = (await namesTask)
            .Concat(builds.Select(b => b.Zone).OfType<string>())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var gateways = await Task.WhenAll(names.Select(n => grains.GetGrain<IZoneGatewayGrain>(n).ListAsync()));
        var zones = names.Select((name, i) => View(name,
            gateways[i].OrderBy(g => g.Hostname, StringComparer.Ordinal).ThenBy(g => g.Port).Select(GatewayView.From).ToList(),
            builds.Where(b => b.Zone == name))).ToList();
        zones.Add(View(null, [], builds.Where(b => b.Zone is null)));
        return zones;
    }

    private static ZoneView View(string? zone, List<GatewayView> gateways, IEnumerable<BuildInfo> builds)
    {
        var list = builds.ToList();
        var executors = list
            .GroupBy(b => (b.ExecutorHostname, b.LogPort))
            .Select(g => new ExecutorView(g.Key.ExecutorHostname, g.Key.LogPort, g.Count(b => b.State == BuildState.Running), g.Max(b => b.StartedAt)))
            .OrderBy(e => e.Hostname, StringComparer.Ordinal).ThenBy(e => e.LogPort)
            .ToList();
        var running = list.Where(b => b.State == BuildState.Running).Select(b => BuildView.From(b, showExecutor: true)).ToList();
        return new ZoneView(zone, gateways, executors, running);
    }
}
