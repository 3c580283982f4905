using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>The JSON API behind the console: builds and one build.</summary>
public static class BuildsApi
{
    public static IEndpointRouteBuilder MapBuildsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/builds", async (string? state, IBuildList list, CancellationToken aborted) =>
        {
            if (!TryParseState(state, out var wanted))
            {
                return ApiResults.BadRequest($"state '{ApiResults.Quote(state!)}' is not one of: running, finished, lost.");
            }

            IReadOnlyList<BuildInfo> builds;
            try
            {
                builds = await list.ListAsync(aborted);
            }
            catch (TimeoutException)
            {
                return ApiResults.Unavailable("The build list is not loaded yet (ZooKeeper unreachable); try again shortly.");
            }

            return Results.Json(
                builds.Where(b => wanted is null || b.State == wanted).Select(BuildView.From).ToList(),
                ApiJson.Default.ListBuildView);
        });

        app.MapGet("/api/builds/{uuid}", async (string uuid, IGrainFactory grains) =>
        {
            if (!BuildId.TryNormalize(uuid, out var id))
            {
                return ApiResults.BadRequest($"'{ApiResults.Quote(uuid)}' is not a valid build id (32 hex digits).");
            }

            var build = await grains.GetGrain<IBuildGrain>(id).GetAsync();
            return build is null
                ? ApiResults.NotFound($"Build {id} not found.")
                : Results.Json(BuildView.From(build), ApiJson.Default.BuildView);
        });
        return app;
    }

    /// <summary>The optional <c>state</c> filter: absent, <c>running</c>, <c>finished</c> or <c>lost</c>.</summary>
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
