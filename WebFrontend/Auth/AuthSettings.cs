namespace Zuul.LiveLog.WebFrontend.Auth;

/// <summary>
/// Who may read which tenant's builds and logs, and who is an admin: the <c>Auth</c> configuration section, shaped
/// like Zuul's authenticators and tenant access rules (README "Authentication"). Anonymous reads are the default.
/// </summary>
public sealed class AuthSettings
{
    public const string SectionName = "Auth";

    /// <summary>JWT authenticators by name (<c>Auth:Authenticators:&lt;name&gt;:...</c>); a token is checked by the one whose <c>IssuerId</c> it names.</summary>
    public Dictionary<string, AuthenticatorSettings> Authenticators { get; set; } = [];

    /// <summary>Every tenant requires an authenticated reader (<c>Auth:ReadProtected</c>; Zuul's api-root access rules).</summary>
    public bool ReadProtected { get; set; }

    /// <summary>Claim rules (<c>claim=value</c>, any one suffices) a reader of every protected tenant must match; empty = any valid token.</summary>
    public List<string> ReadRules { get; set; } = [];

    /// <summary>Claim rules that make a caller an admin: every tenant readable, the zones view, executor addresses, the dashboard.</summary>
    public List<string> AdminRules { get; set; } = [];

    /// <summary>The authenticator the console logs in with, unless a tenant names its own (<c>Auth:DefaultRealm</c>).</summary>
    public string? DefaultRealm { get; set; }

    /// <summary>Per-tenant settings (<c>Auth:Tenants:&lt;tenant&gt;:...</c>).</summary>
    public Dictionary<string, TenantAuthSettings> Tenants { get; set; } = [];
}

/// <summary>One tenant's read restriction, like Zuul's tenant <c>access-rules</c> and <c>auth-realm</c>.</summary>
public sealed class TenantAuthSettings
{
    /// <summary>This tenant requires an authenticated reader.</summary>
    public bool ReadProtected { get; set; }

    /// <summary>Claim rules (any one suffices) a reader of this tenant must match; empty = the global <see cref="AuthSettings.ReadRules"/>.</summary>
    public List<string> ReadRules { get; set; } = [];

    /// <summary>The OpenID Connect authenticator this tenant's console logs in with (default <see cref="AuthSettings.DefaultRealm"/>).</summary>
    public string? AuthRealm { get; set; }
}

/// <summary>Which tokens an authenticator accepts.</summary>
public enum AuthenticatorDriver
{
    /// <summary>Not set: a configuration error.</summary>
    None = 0,

    /// <summary>Tokens an operator signs with a shared secret (Zuul's <c>HS256</c> driver).</summary>
    HS256,

    /// <summary>Tokens of an OpenID Connect provider, keys from its discovery document (Zuul's <c>OpenIDConnect</c> driver): RS256, ES256 and kin.</summary>
    OpenIDConnect,
}

/// <summary>One JWT authenticator (Zuul's <c>[auth &lt;name&gt;]</c> section).</summary>
public sealed class AuthenticatorSettings
{
    public AuthenticatorDriver Driver { get; set; }

    /// <summary>The token's <c>iss</c>; for OpenID Connect also where <c>.well-known/openid-configuration</c> is found.</summary>
    public string? IssuerId { get; set; }

    /// <summary>The token's <c>aud</c> (Zuul's <c>client_id</c>); for OpenID Connect also the client the console logs in as.</summary>
    public string? ClientId { get; set; }

    /// <summary>HS256 only: the shared secret, at least 32 bytes of UTF-8.</summary>
    public string? Secret { get; set; }

    /// <summary>OpenID Connect only: the scopes the console asks for at login.</summary>
    public string Scope { get; set; } = "openid profile";

    /// <summary>Clock skew allowed on <c>exp</c> and <c>nbf</c> (default 30 s).</summary>
    public TimeSpan Skew { get; set; } = TimeSpan.FromSeconds(30);
}
