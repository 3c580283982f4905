using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>JWTs made in the test, the way an operator makes Zuul's HS256 tokens (or, with an RSA key, a provider signs them).</summary>
public static class TestTokens
{
    public const string Issuer = "zuul_operator";
    public const string Audience = "zuul.test";
    public const string Secret = "an-hs256-secret-that-is-32-bytes-or-more";

    public static SigningCredentials Hs256(string secret = Secret) =>
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256);

    /// <summary>A token with <paramref name="claims"/> (arrays become JSON arrays), valid for <paramref name="lifetime"/> from <paramref name="issuedAgo"/> ago.</summary>
    public static string Make(
        Dictionary<string, object> claims, SigningCredentials? key = null, string issuer = Issuer, string audience = Audience,
        TimeSpan? lifetime = null, TimeSpan? issuedAgo = null)
    {
        var issued = DateTime.UtcNow - (issuedAgo ?? TimeSpan.Zero);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issued,
            NotBefore = issued,
            Expires = issued + (lifetime ?? TimeSpan.FromMinutes(10)),
            Claims = new Dictionary<string, object>(claims) { ["sub"] = claims.TryGetValue("sub", out var sub) ? sub : "tester" },
            SigningCredentials = key ?? Hs256(),
        });
    }

    public static string Reader() => Make(new() { ["groups"] = new[] { WebConsoleCluster.ReaderGroup, "others" } });

    public static string Admin() => Make(new() { ["roles"] = new[] { WebConsoleCluster.AdminRole } });

    /// <summary>An RSA key of the test's own (an "unknown key" to any provider).</summary>
    public static SigningCredentials Rs256(RSA? rsa = null, string? keyId = null) =>
        new(new RsaSecurityKey(rsa ?? RSA.Create(2048)) { KeyId = keyId ?? Guid.NewGuid().ToString("N") }, SecurityAlgorithms.RsaSha256);
}
