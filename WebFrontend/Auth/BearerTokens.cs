using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Zuul.LiveLog.WebFrontend.Auth;

/// <summary>The result of checking a bearer token: a principal, or why there is none.</summary>
public readonly record struct TokenCheck(ClaimsPrincipal? User, string? Failure)
{
    public static readonly TokenCheck None = new(null, null);
}

/// <summary>
/// Checks bearer tokens with the JwtBearer scheme of the authenticator whose <c>IssuerId</c> the token names (one
/// scheme per authenticator, <see cref="AuthHosting"/>). An HTTP request's <c>Authorization</c> header goes through
/// the JwtBearer handler itself; a token that arrives in a websocket's first message is validated with the same
/// scheme's options (keys from the same discovery document, the same issuer, audience, lifetime and skew checks).
/// </summary>
public sealed class BearerTokens(AuthSettings settings, IOptionsMonitor<JwtBearerOptions> bearerOptions)
{
    /// <summary>The JwtBearer scheme for a token, by its (not yet validated) issuer; null when no authenticator has that issuer.</summary>
    public string? SchemeFor(string token)
    {
        string issuer;
        try
        {
            issuer = new JsonWebToken(token).Issuer;
        }
        catch (ArgumentException)
        {
            return null;
        }

        return settings.Authenticators.Where(a => string.Equals(a.Value.IssuerId, issuer, StringComparison.Ordinal))
            .Select(a => AuthHosting.SchemeName(a.Key)).FirstOrDefault();
    }

    /// <summary>Checks the request's <c>Authorization: Bearer</c> header through the JwtBearer handler; <see cref="TokenCheck.None"/> without one.</summary>
    public async Task<TokenCheck> AuthenticateAsync(HttpContext context)
    {
        if (BearerOf(context.Request.Headers.Authorization.ToString()) is not { } token)
        {
            return context.Request.Headers.Authorization.Count > 0 ? new(null, "The Authorization header is not 'Bearer <token>'.") : TokenCheck.None;
        }

        if (SchemeFor(token) is not { } scheme)
        {
            return new(null, "The token is not a JWT of a configured issuer.");
        }

        var result = await context.AuthenticateAsync(scheme);
        return result.Succeeded ? new(result.Principal, null) : new(null, Describe(result.Failure));
    }

    /// <summary>Validates a token that did not come in a header (a websocket's first message).</summary>
    public async Task<TokenCheck> ValidateAsync(string token)
    {
        if (SchemeFor(token) is not { } scheme)
        {
            return new(null, "The token is not a JWT of a configured issuer.");
        }

        var options = bearerOptions.Get(scheme);
        var parameters = options.TokenValidationParameters.Clone();
        if (options.ConfigurationManager is BaseConfigurationManager manager)
        {
            // As the JwtBearer handler does: issuer and signing keys come from the discovery document, refreshed on an unknown key id.
            parameters.ConfigurationManager = manager;
        }

        Exception? failure = null;
        foreach (var handler in options.TokenHandlers)
        {
            var result = await handler.ValidateTokenAsync(token, parameters);
            if (result.IsValid)
            {
                return new(new ClaimsPrincipal(result.ClaimsIdentity), null);
            }

            failure ??= result.Exception;
        }

        return new(null, Describe(failure));
    }

    /// <summary>The token of a <c>Bearer</c> authorization value; null for anything else.</summary>
    public static string? BearerOf(string? authorization) =>
        authorization is { Length: > 7 } a && a.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && a[7..].Trim() is { Length: > 0 } t ? t : null;

    /// <summary>One short sentence for the caller; the library's message (key ids, times) goes to the log only.</summary>
    private static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenInvalidAudienceException => "The token is for another audience.",
        SecurityTokenInvalidIssuerException => "The token is from another issuer.",
        SecurityTokenSignatureKeyNotFoundException => "The token is signed by an unknown key.",
        SecurityTokenInvalidSignatureException => "The token's signature is not valid.",
        SecurityTokenNoExpirationException => "The token has no expiry.",
        _ => "The token is not valid.",
    };
}
