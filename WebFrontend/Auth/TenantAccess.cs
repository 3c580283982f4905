using System.Security.Claims;

namespace Zuul.LiveLog.WebFrontend.Auth;

/// <summary>What a caller may do with a tenant's builds and logs.</summary>
public enum ReadDecision
{
    Allowed,

    /// <summary>The tenant requires an authenticated reader and the caller has no valid token (401, close 4001).</summary>
    LoginRequired,

    /// <summary>The caller's token is valid but matches none of the tenant's read rules (403, close 4003).</summary>
    Forbidden,
}

/// <summary>The one home of the access rules: tenant read restriction (per tenant and global) and admins.</summary>
public sealed class TenantAccess
{
    private readonly AuthSettings _settings;
    private readonly IReadOnlyList<ClaimRule> _readRules;
    private readonly IReadOnlyList<ClaimRule> _adminRules;
    private readonly Dictionary<string, List<ClaimRule>> _tenantRules;

    public TenantAccess(AuthSettings settings)
    {
        _settings = settings;
        _readRules = Parse(settings.ReadRules);
        _adminRules = Parse(settings.AdminRules);
        _tenantRules = settings.Tenants.ToDictionary(t => t.Key, t => Parse(t.Value.ReadRules), StringComparer.Ordinal);
    }

    /// <summary>True when reading <paramref name="tenant"/> needs a token.</summary>
    public bool RequiresLogin(string tenant) => _settings.ReadProtected || (Tenant(tenant)?.ReadProtected ?? false);

    /// <summary>True on the admin listener, and for an authenticated <paramref name="user"/> who matches an admin rule.</summary>
    public bool IsAdmin(ClaimsPrincipal user) =>
        user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == Security.Listeners.AdminAuthenticationType)
        || (user.Identity?.IsAuthenticated == true && ClaimRule.AnyMatches(_adminRules, user));

    public ReadDecision CanRead(ClaimsPrincipal user, string tenant)
    {
        if (!RequiresLogin(tenant))
        {
            return ReadDecision.Allowed;
        }

        if (user.Identity?.IsAuthenticated != true)
        {
            return ReadDecision.LoginRequired;
        }

        if (IsAdmin(user))
        {
            return ReadDecision.Allowed;
        }

        var rules = _tenantRules.TryGetValue(tenant, out var own) && own.Count > 0 ? own : _readRules;
        return rules.Count == 0 || ClaimRule.AnyMatches(rules, user) ? ReadDecision.Allowed : ReadDecision.Forbidden;
    }

    /// <summary>The OpenID Connect authenticator the console logs in with for <paramref name="tenant"/>; null when none is configured.</summary>
    public (string Name, AuthenticatorSettings Settings)? LoginRealm(string tenant)
    {
        var name = Tenant(tenant)?.AuthRealm ?? _settings.DefaultRealm
            ?? _settings.Authenticators.Where(a => a.Value.Driver == AuthenticatorDriver.OpenIDConnect).Select(a => a.Key).FirstOrDefault();
        return name is not null && _settings.Authenticators.TryGetValue(name, out var a) && a.Driver == AuthenticatorDriver.OpenIDConnect
            ? (name, a)
            : null;
    }

    /// <summary>Tenants named in the settings (they exist before their first build).</summary>
    public IEnumerable<string> ConfiguredTenants => _settings.Tenants.Keys;

    private TenantAuthSettings? Tenant(string tenant) =>
        _settings.Tenants.TryGetValue(tenant, out var t) ? t : null;

    private static List<ClaimRule> Parse(IEnumerable<string> rules) =>
        [.. rules.Select(r => ClaimRule.TryParse(r, out var rule) ? rule : null).OfType<ClaimRule>()];
}
