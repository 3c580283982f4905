namespace Zuul.LiveLog.Hosting;

/// <summary>
/// The one zone naming rule: the <c>Zone</c> and <c>Cluster:Zone</c> settings, and zone names in API requests. The
/// characters are safe in ZooKeeper paths, cluster ids (<c>&lt;Cluster:Id&gt;@&lt;zone&gt;</c>) and URLs.
/// </summary>
public static class ZoneName
{
    /// <summary>The rule in words, for error messages.</summary>
    public const string Rule = "1-63 letters, digits, '-', '_' or '.'";

    public static bool IsValid(string? zone) =>
        zone is { Length: > 0 and <= 63 } && zone.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
