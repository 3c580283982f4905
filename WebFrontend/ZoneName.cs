namespace Orleans.Zuul.WebFrontend;

/// <summary>The zone naming rule (as for the <c>Zone</c> setting): 1-63 letters, digits, '-', '_' or '.'.</summary>
public static class ZoneName
{
    public static bool IsValid(string? zone) =>
        zone is { Length: > 0 and <= 63 } && zone.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
