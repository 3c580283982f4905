namespace Zuul.LiveLog.Hosting;

/// <summary>
/// The one tenant naming rule: <c>Executor:DefaultTenant</c>, tenants in the auth settings and in API paths. Zuul's
/// tenant names are free-form in its config; the ones we accept are safe in URLs and log lines.
/// </summary>
public static class TenantName
{
    /// <summary>The rule in words, for error messages.</summary>
    public const string Rule = "1-64 letters, digits, '-', '_' or '.'";

    public static bool IsValid(string? tenant) =>
        tenant is { Length: > 0 and <= 64 } && tenant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
