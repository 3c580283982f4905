using System.Text;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.WebFrontend.Auth;

/// <summary>Every problem of the <c>Auth</c> section, each naming its key, so an operator fixes them in one go.</summary>
public static class AuthSettingsValidation
{
    /// <summary>HS256 keys shorter than this are refused by the token library, and guessable.</summary>
    public const int MinSecretBytes = 32;

    public static IReadOnlyList<string> Validate(AuthSettings s)
    {
        var errors = new List<string>();
        foreach (var (name, a) in s.Authenticators)
        {
            var key = $"Auth:Authenticators:{name}";
            if (a.Driver == AuthenticatorDriver.None)
            {
                errors.Add($"{key}:Driver is required: HS256 or OpenIDConnect.");
            }

            if (string.IsNullOrWhiteSpace(a.IssuerId))
            {
                errors.Add($"{key}:IssuerId is required (the tokens' 'iss').");
            }

            if (string.IsNullOrWhiteSpace(a.ClientId))
            {
                errors.Add($"{key}:ClientId is required (the tokens' 'aud').");
            }

            if (a.Skew < TimeSpan.Zero || a.Skew > TimeSpan.FromMinutes(10))
            {
                errors.Add($"{key}:Skew must be 0..10 minutes (got {a.Skew}).");
            }

            if (a.Driver == AuthenticatorDriver.HS256 && Encoding.UTF8.GetByteCount(a.Secret ?? string.Empty) < MinSecretBytes)
            {
                errors.Add($"{key}:Secret must be at least {MinSecretBytes} bytes for HS256.");
            }

            if (a.Driver == AuthenticatorDriver.OpenIDConnect && a.IssuerId is { Length: > 0 } issuer)
            {
                if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                {
                    errors.Add($"{key}:IssuerId '{issuer}' must be an https URL (its discovery document is at <IssuerId>/.well-known/openid-configuration).");
                }
                else if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
                {
                    errors.Add($"{key}:IssuerId '{issuer}' must use https (plain http is accepted on loopback only, for tests).");
                }
            }
        }

        if (s.Authenticators.Keys.GroupBy(k => s.Authenticators[k].IssuerId, StringComparer.Ordinal).FirstOrDefault(g => g.Key is not null && g.Count() > 1) is { } same)
        {
            errors.Add($"Auth:Authenticators {string.Join(", ", same)} share IssuerId '{same.Key}'; a token's issuer must name one authenticator.");
        }

        Rules("Auth:ReadRules", s.ReadRules, errors);
        Rules("Auth:AdminRules", s.AdminRules, errors);
        Realm("Auth:DefaultRealm", s.DefaultRealm, s, errors);
        var protects = s.ReadProtected || s.Tenants.Values.Any(t => t.ReadProtected);
        if (protects && s.Authenticators.Count == 0)
        {
            errors.Add("Auth: read access is protected but no Auth:Authenticators are configured, so nobody could read.");
        }

        foreach (var (tenant, t) in s.Tenants)
        {
            if (!TenantName.IsValid(tenant))
            {
                errors.Add($"Auth:Tenants:{tenant} is not a valid tenant name ({TenantName.Rule}).");
            }

            Rules($"Auth:Tenants:{tenant}:ReadRules", t.ReadRules, errors);
            Realm($"Auth:Tenants:{tenant}:AuthRealm", t.AuthRealm, s, errors);
        }

        return errors;
    }

    private static void Rules(string key, List<string> rules, List<string> errors)
    {
        foreach (var rule in rules.Where(r => !ClaimRule.TryParse(r, out _)))
        {
            errors.Add($"{key} entry '{rule}' is not a rule of the form claim=value.");
        }
    }

    private static void Realm(string key, string? realm, AuthSettings s, List<string> errors)
    {
        if (realm is null)
        {
            return;
        }

        if (!s.Authenticators.TryGetValue(realm, out var a))
        {
            errors.Add($"{key} '{realm}' names no authenticator in Auth:Authenticators.");
        }
        else if (a.Driver != AuthenticatorDriver.OpenIDConnect)
        {
            errors.Add($"{key} '{realm}' must be an OpenIDConnect authenticator (the console logs in through it).");
        }
    }
}
