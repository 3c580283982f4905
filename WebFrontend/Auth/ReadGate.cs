using Microsoft.Net.Http.Headers;

namespace Zuul.LiveLog.WebFrontend.Auth;

/// <summary>The HTTP face of <see cref="TenantAccess"/>: 401 (with <c>WWW-Authenticate: Bearer</c>) or 403 for a tenant the caller may not read.</summary>
public static class ReadGate
{
    /// <summary>Null when the caller may read <paramref name="tenant"/>; otherwise the error to answer.</summary>
    public static IResult? Check(HttpContext context, string tenant)
    {
        var access = context.RequestServices.GetRequiredService<TenantAccess>();
        return access.CanRead(context.User, tenant) switch
        {
            ReadDecision.Allowed => null,
            ReadDecision.Forbidden => ApiResults.Forbidden($"Your token does not allow reading tenant {tenant}."),
            _ => Unauthorized(context, $"Tenant {tenant} requires authentication"),
        };
    }

    /// <summary>Null when the caller is an admin; otherwise 401/403.</summary>
    public static IResult? CheckAdmin(HttpContext context)
    {
        var access = context.RequestServices.GetRequiredService<TenantAccess>();
        if (access.IsAdmin(context.User))
        {
            return null;
        }

        return context.User.Identity?.IsAuthenticated == true
            ? ApiResults.Forbidden("This view is for admins only.")
            : Unauthorized(context, "This view is for admins only");
    }

    private static IResult Unauthorized(HttpContext context, string what)
    {
        var failure = context.Features.Get<TokenCheckFeature>()?.Check.Failure;
        context.Response.Headers[HeaderNames.WWWAuthenticate] = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        return ApiResults.Unauthorized(failure is null ? $"{what}: send 'Authorization: Bearer <token>'." : $"{what}; {failure}");
    }
}
