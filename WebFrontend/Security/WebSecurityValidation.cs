namespace Zuul.LiveLog.WebFrontend.Security;

/// <summary>Every problem of the <c>Web</c> section at once.</summary>
public static class WebSecurityValidation
{
    public static IReadOnlyList<string> Validate(WebSecuritySettings s, string? publicUrls)
    {
        var errors = new List<string>();
        foreach (var origin in s.AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || uri.PathAndQuery != "/" || origin.EndsWith('/'))
            {
                errors.Add($"Web:AllowedOrigins entry '{origin}' is not an origin like https://zuul.example.com (scheme, host, optional port, no path).");
            }
        }

        if (s.StreamOpenLimit is < 1 or > 1_000_000)
        {
            errors.Add($"Web:StreamOpenLimit must be 1..1000000 (got {s.StreamOpenLimit}).");
        }

        if (s.StreamOpenWindow <= TimeSpan.Zero || s.StreamOpenWindow > TimeSpan.FromHours(1))
        {
            errors.Add($"Web:StreamOpenWindow must be more than 0 and at most 1 hour (got {s.StreamOpenWindow}).");
        }

        if (s.AdminUrls is { Length: > 0 } admin)
        {
            foreach (var url in Listeners.Split(admin))
            {
                if (Listeners.TryParse(url, out _) is { } problem)
                {
                    errors.Add($"Web:AdminUrls entry '{url}': {problem}.");
                }
            }

            foreach (var url in Listeners.Split(publicUrls ?? Listeners.DefaultUrls))
            {
                if (Listeners.TryParse(url, out _) is { } problem)
                {
                    errors.Add($"Urls entry '{url}' (with Web:AdminUrls, the frontend binds its URLs itself): {problem}.");
                }
            }
        }

        return errors;
    }
}
