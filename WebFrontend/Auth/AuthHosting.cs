using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Zuul.LiveLog.WebFrontend.Auth;

/// <summary>
/// Registers one JwtBearer scheme per configured authenticator (<see cref="AuthSettings"/>) and the middleware that
/// authenticates a request's bearer token with the scheme of the token's issuer. No authenticators: every caller is
/// anonymous, and only unprotected tenants exist (the validation refuses protection without authenticators).
/// </summary>
public static class AuthHosting
{
    /// <summary>Signature algorithms accepted from an OpenID Connect provider: RSA and ECDSA, never HMAC or none.</summary>
    private static readonly string[] AsymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public static string SchemeName(string authenticator) => "zuul-" + authenticator;

    /// <summary>Reads and checks the <c>Auth</c> section (problems go to <paramref name="errors"/>) and registers what it needs.</summary>
    public static AuthSettings AddZuulAuth(this WebApplicationBuilder builder, List<string> errors)
    {
        var settings = new AuthSettings();
        builder.Configuration.GetSection(AuthSettings.SectionName).Bind(settings);
        var problems = AuthSettingsValidation.Validate(settings);
        errors.AddRange(problems);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<TenantAccess>();
        builder.Services.AddSingleton<BearerTokens>();
        var authentication = builder.Services.AddAuthentication();
        if (problems.Count == 0)
        {
            foreach (var (name, authenticator) in settings.Authenticators)
            {
                authentication.AddJwtBearer(SchemeName(name), o => Configure(o, authenticator));
            }
        }

        return settings;
    }

    /// <summary>
    /// Sets <see cref="HttpContext.User"/>: an admin on the admin listener, else from a valid bearer token (an invalid
    /// one is remembered for the 401's message).
    /// </summary>
    public static IApplicationBuilder UseZuulAuthentication(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Security.Listeners.IsAdminConnection(context))
        {
            context.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(Security.Listeners.AdminAuthenticationType));
            await next(context);
            return;
        }

        var check = await context.RequestServices.GetRequiredService<BearerTokens>().AuthenticateAsync(context);
        if (check.User is { } user)
        {
            context.User = user;
        }

        context.Features.Set(new TokenCheckFeature(check));
        await next(context);
    });

    private static void Configure(JwtBearerOptions o, AuthenticatorSettings a)
    {
        // Claims keep the token's names (groups, sub), which is what access rules are written against.
        o.MapInboundClaims = false;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = a.IssuerId,
            ValidAudience = a.ClientId,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = a.Skew,
            NameClaimType = "sub",
        };
        if (a.Driver == AuthenticatorDriver.HS256)
        {
            o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(a.Secret!));
            o.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            return;
        }

        // Keys (and their rotation) from <IssuerId>/.well-known/openid-configuration.
        o.Authority = a.IssuerId;
        o.Audience = a.ClientId;
        o.RequireHttpsMetadata = new Uri(a.IssuerId!).Scheme == Uri.UriSchemeHttps;
        o.TokenValidationParameters.ValidAlgorithms = AsymmetricAlgorithms;
    }
}

/// <summary>The bearer token check of the current request (see <see cref="AuthHosting.UseZuulAuthentication"/>).</summary>
public sealed record TokenCheckFeature(TokenCheck Check);
