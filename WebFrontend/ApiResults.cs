namespace Zuul.LiveLog.WebFrontend;

/// <summary>The API's error answers: a status code and <c>{"error": "..."}</c>.</summary>
internal static class ApiResults
{
    public static IResult BadRequest(string message) =>
        Results.Json(new ApiError(message), ApiJson.Default.ApiError, statusCode: StatusCodes.Status400BadRequest);

    public static IResult Unauthorized(string message) =>
        Results.Json(new ApiError(message), ApiJson.Default.ApiError, statusCode: StatusCodes.Status401Unauthorized);

    public static IResult Forbidden(string message) =>
        Results.Json(new ApiError(message), ApiJson.Default.ApiError, statusCode: StatusCodes.Status403Forbidden);

    public static IResult TooManyRequests(string message) =>
        Results.Json(new ApiError(message), ApiJson.Default.ApiError, statusCode: StatusCodes.Status429TooManyRequests);

    public static IResult NotFound(string message) =>
        Results.Json(new ApiError(message), ApiJson.Default.ApiError, statusCode: StatusCodes.Status404NotFound);

    public static IResult Unavailable(string message) =>
        Results.Json(new ApiError(message), ApiJson.Default.ApiError, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>User input quoted in an error, cut to a readable length.</summary>
    public static string Quote(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
