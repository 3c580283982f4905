// A real OpenID Connect provider for the tests (npm oidc-provider, pinned in scripts/test.sh), on loopback.
// Usage: node provider.mjs <dir with node_modules/oidc-provider> <config.json>
// config: { port, issuer, jwks: { keys: [private RSA JWK] }, clientId, redirectUris: [...], users: { <login>: { name, groups } } }
// Signs ID tokens with RS256 (the test's key, so the test can also sign tokens of its own with it). Login uses the
// package's built-in login and consent pages (any password; only the users listed exist).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [, , moduleDir, configPath] = process.argv;
const { default: Provider } = await import(pathToFileURL(join(moduleDir, "node_modules", "oidc-provider", "lib", "index.js")).href);
const config = JSON.parse(readFileSync(configPath, "utf8"));

const provider = new Provider(config.issuer, {
  clients: [{
    client_id: config.clientId,
    token_endpoint_auth_method: "none", // a browser page: a public client, protected by PKCE
    redirect_uris: config.redirectUris,
    response_types: ["code"],
    grant_types: ["authorization_code"],
    id_token_signed_response_alg: "RS256",
  }],
  jwks: config.jwks,
  pkce: { required: () => true },
  claims: { openid: ["sub"], profile: ["name", "groups"] },
  // The ID token carries the profile claims (groups) even though an access token is issued as well.
  conformIdTokenClaims: false,
  findAccount: async (ctx, sub) => config.users[sub]
    ? { accountId: sub, claims: async () => ({ sub, ...config.users[sub] }) }
    : undefined,
  features: { devInteractions: { enabled: true } },
  // The console page (another origin) calls the token endpoint from the browser.
  clientBasedCORS: () => true,
  cookies: { keys: ["orleans-zuul-tests-only"] },
  ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Session: 600, Interaction: 600, Grant: 600 },
});
provider.on("server_error", (ctx, error) => console.error("server_error", error));

provider.listen(config.port, "127.0.0.1", () => console.log(`oidc-provider listening on ${config.issuer}`));
