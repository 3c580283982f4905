namespace Zuul.LiveLog.WebFrontend.Security;

/// <summary>
/// The <c>Web</c> section: which page origins may open streams, how many stream opens a client address may make,
/// and the admin listener (README "Authentication").
/// </summary>
public sealed class WebSecuritySettings
{
    public const string SectionName = "Web";

    /// <summary>
    /// Origins (<c>https://zuul.example.com</c>) besides the frontend's own whose pages may open the websocket, the
    /// event stream and the HTTP log (<c>Web:AllowedOrigins</c>); empty = same origin only.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Stream opens (websocket, event stream, HTTP log) allowed per client address per <see cref="StreamOpenWindow"/> (<c>Web:StreamOpenLimit</c>, default 60).</summary>
    public int StreamOpenLimit { get; set; } = 60;

    /// <summary>The window of <see cref="StreamOpenLimit"/> (<c>Web:StreamOpenWindow</c>, default 1 minute).</summary>
    public TimeSpan StreamOpenWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// URLs of the admin listener (<c>Web:AdminUrls</c>, e.g. <c>http://127.0.0.1:9001</c>; several separated by
    /// <c>;</c>): the Orleans dashboard, the zones view and executor addresses, served to anyone who reaches it. Empty
    /// (the default) = no admin listener: those are then served only to callers whose token matches
    /// <c>Auth:AdminRules</c>, and the dashboard (a browser page that cannot send a token) to nobody.
    /// </summary>
    public string? AdminUrls { get; set; }
}
