using Orleans.Zuul.Finger;
using Orleans.Zuul.Grains;

namespace Orleans.Zuul.WebFrontend;

/// <summary>The JSON API behind the console: builds and one build.</summary>
public static class BuildsApi
{
    public static IEndpointRouteBuilder MapBuildsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/builds", async (IGrainFactory grains) =>
        {
            var builds = await grains.GetGrain<IBuildDirectoryGrain>(0).ListAsync();
            return Results.Json(builds.Select(BuildView.From).ToList(), ApiJson.Default.ListBuildView);
        });

        app.MapGet("/api/builds/{uuid}", async (string uuid, IGrainFactory grains) =>
        {
            if (!BuildId.TryNormalize(uuid, out var id))
            {
                return Results.Json(new ApiError($"'{Truncate(uuid)}' is not a valid build id (32 hex digits)."), ApiJson.Default.ApiError, statusCode: StatusCodes.Status400BadRequest);
            }

            var build = await grains.GetGrain<IBuildGrain>(id).GetAsync();
            return build is null
                ? Results.Json(new ApiError($"Build {id} not found."), ApiJson.Default.ApiError, statusCode: StatusCodes.Status404NotFound)
                : Results.Json(BuildView.From(build), ApiJson.Default.BuildView);
        });
        return app;
    }

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
