using System.Security.Claims;

namespace Zuul.LiveLog.WebFrontend.Auth;

/// <summary>
/// One access rule, written <c>claim=value</c>: the token has the claim with that value (a JSON array claim matches
/// when any element does), as Zuul's access rules match claims. Claim names are the token's own (<c>groups</c>,
/// <c>sub</c>, <c>email</c>), never renamed.
/// </summary>
public sealed record ClaimRule(string Claim, string Value)
{
    public static bool TryParse(string? text, out ClaimRule rule)
    {
        rule = new ClaimRule(string.Empty, string.Empty);
        var at = text?.IndexOf('=', StringComparison.Ordinal) ?? -1;
        if (text is null || at <= 0 || at == text.Length - 1)
        {
            return false;
        }

        rule = new ClaimRule(text[..at].Trim(), text[(at + 1)..].Trim());
        return rule.Claim.Length > 0 && rule.Value.Length > 0;
    }

    public bool Matches(ClaimsPrincipal user) =>
        user.Claims.Any(c => string.Equals(c.Type, Claim, StringComparison.Ordinal) && string.Equals(c.Value, Value, StringComparison.Ordinal));

    /// <summary>True when any rule matches (an empty list matches nobody).</summary>
    public static bool AnyMatches(IReadOnlyList<ClaimRule> rules, ClaimsPrincipal user) => rules.Any(r => r.Matches(user));
}
