namespace Zuul.LiveLog.Hosting.Telemetry;

/// <summary>
/// What every one of the project's measurements is tagged with: the process's role (<c>silo</c>, <c>web</c>,
/// <c>executor</c>) and zone (<c>unzoned</c> without one). Both are bounded: a deployment has a handful of zones.
/// </summary>
public sealed record ComponentIdentity(string Role, string Zone)
{
    /// <summary>The zone tag of a process (or a gateway) without a zone.</summary>
    public const string Unzoned = "unzoned";

    public const string Silo = "silo";
    public const string Web = "web";
    public const string Executor = "executor";

    public static ComponentIdentity For(string role, string? zone) => new(role, ZoneTag(zone));

    public static string ZoneTag(string? zone) => zone is { Length: > 0 } z ? z : Unzoned;
}
