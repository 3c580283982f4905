// Console login: OpenID Connect authorization code flow with PKCE against the tenant's provider (named by
// /api/tenant/<t>/info). The ID token (audience = the console's client id, as the web frontend's authenticator
// expects) is kept in sessionStorage for this tab only, sent as "Authorization: Bearer" to the API and as "token"
// in the console-stream's first message. When it expires the page says so and offers "Log in again".
"use strict";
const ZuulAuth = (() => {
  const PENDING = "zuul.login.pending";
  const keyOf = login => `zuul.token.${login.issuer}|${login.clientId}`;
  const infos = new Map();

  function b64url(bytes) {
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function random() { return b64url(crypto.getRandomValues(new Uint8Array(32))); }
  function payload(jwt) {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  }

  // The tenant's auth facts: { authRequired, canRead, admin, login: {realm, issuer, clientId, scope} | null }.
  async function info(tenant, fresh) {
    if (!fresh && infos.has(tenant)) return infos.get(tenant);
    const response = await fetch(`/api/tenant/${encodeURIComponent(tenant)}/info`, { headers: headersFor(tenant) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const value = await response.json();
    infos.set(tenant, value);
    return value;
  }

  // The stored token of any realm still valid, or null.
  function storedToken(login) {
    const keys = login ? [keyOf(login)] : Object.keys(sessionStorage).filter(k => k.startsWith("zuul.token."));
    for (const key of keys) {
      const raw = sessionStorage.getItem(key);
      if (!raw) continue;
      const { token, exp } = JSON.parse(raw);
      if (exp * 1000 > Date.now()) return token;
      sessionStorage.removeItem(key);
    }
    return null;
  }

  // Synchronous: the token for a tenant whose info is loaded, else any stored token.
  function token(tenant) {
    const login = infos.get(tenant)?.login;
    return storedToken(login) ?? (login ? null : storedToken(null));
  }

  function headersFor(tenant) {
    const t = token(tenant);
    return t ? { Authorization: `Bearer ${t}` } : {};
  }

  async function discovery(issuer) {
    const response = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`discovery: HTTP ${response.status}`);
    return response.json();
  }

  async function login(tenant) {
    const { login } = await info(tenant);
    if (!login) throw new Error("no login is configured for this tenant");
    const config = await discovery(login.issuer);
    const verifier = random();
    const challenge = b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
    const pending = { verifier, state: random(), nonce: random(), login, tokenEndpoint: config.token_endpoint, returnTo: location.href };
    sessionStorage.setItem(PENDING, JSON.stringify(pending));
    const url = new URL(config.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: "code", client_id: login.clientId, redirect_uri: `${location.origin}/auth/callback`,
      scope: login.scope, state: pending.state, nonce: pending.nonce, code_challenge: challenge, code_challenge_method: "S256",
    }).toString();
    location.assign(url.toString());
  }

  // On /auth/callback: trades the code for tokens, checks state and nonce, stores the ID token, returns to the page.
  async function completeLogin() {
    const params = new URLSearchParams(location.search);
    const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null");
    sessionStorage.removeItem(PENDING);
    if (params.get("error")) throw new Error(`${params.get("error")}: ${params.get("error_description") ?? ""}`);
    if (!pending || params.get("state") !== pending.state) throw new Error("the login answer does not belong to a login started here");
    const response = await fetch(pending.tokenEndpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code", code: params.get("code") ?? "", redirect_uri: `${location.origin}/auth/callback`,
        client_id: pending.login.clientId, code_verifier: pending.verifier,
      }),
    });
    if (!response.ok) throw new Error(`token endpoint: HTTP ${response.status}`);
    const { id_token: idToken } = await response.json();
    const claims = payload(idToken);
    if (claims.nonce !== pending.nonce) throw new Error("the ID token's nonce does not match");
    sessionStorage.setItem(keyOf(pending.login), JSON.stringify({ token: idToken, exp: claims.exp }));
    location.replace(pending.returnTo);
  }

  function logout() {
    for (const key of Object.keys(sessionStorage).filter(k => k.startsWith("zuul.token."))) sessionStorage.removeItem(key);
    location.reload();
  }

  // Shows the login prompt in `box`: why, and one button (log in / log in again).
  function prompt(box, tenant, why) {
    box.hidden = false;
    box.replaceChildren();
    const text = document.createElement("p");
    text.textContent = why;
    const button = document.createElement("button");
    button.type = "button";
    button.id = "login-button";
    button.textContent = storedToken(null) || why.includes("expired") ? "Log in again" : "Log in";
    button.addEventListener("click", () => login(tenant).catch(e => { text.textContent = `Login failed: ${e.message}`; }));
    box.append(text, button);
  }

  // Server-sent events with the Authorization header (EventSource cannot send one): calls onOpen, then onEvent(data)
  // for each "build" event; reconnects after 3 s. Returns a function that stops it.
  function events(tenant, onOpen, onEvent, onDown) {
    let stopped = false;
    let controller = null;
    async function run() {
      while (!stopped) {
        controller = new AbortController();
        try {
          const response = await fetch(`/api/tenant/${encodeURIComponent(tenant)}/builds/events`, { headers: headersFor(tenant), signal: controller.signal });
          if (!response.ok) { onDown(response.status); if (response.status === 401 || response.status === 403) return; throw new Error(); }
          onOpen();
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let end;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const lines = block.split("\n");
              if (lines.includes("event: build")) onEvent(lines.filter(l => l.startsWith("data: ")).map(l => l.slice(6)).join("\n"));
            }
          }
          onDown(0);
        } catch {
          if (stopped) return;
          onDown(0);
        }
        await new Promise(r => setTimeout(r, 3000));
      }
    }
    run();
    return () => { stopped = true; controller?.abort(); };
  }

  return { info, token, headersFor, login, completeLogin, logout, prompt, events };
})();
