using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>
/// Login with a real OpenID Connect provider (authorization code + PKCE in Chromium), and RS256 tokens the frontend
/// must refuse: another tenant's user, expired, wrong audience, unknown key. Screenshots go to artifacts/screenshots/.
/// </summary>
public sealed class OidcLoginTests(OidcFixture oidc) : IClassFixture<OidcFixture>
{
    private const string Tenant = OidcFixture.Tenant;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AReaderLogsInAndSeesTheBuildListAndTheLiveLogWithoutLoginOnlyThePrompt()
    {
        var build = await oidc.Harness.StartBuildAsync(oidc.JobRoot, "oidc-job", tenant: Tenant);
        await build.AppendAsync("first protected line\n");
        var page = await oidc.NewPageAsync();
        await page.GotoAsync($"/t/{Tenant}/stream/{build.Id}?logfile=console.log");
        await page.WaitForSelectorAsync("#login-button");
        Assert.Equal(0, await page.Locator("#log .line").CountAsync());
        Assert.Contains("requires authentication", await page.Locator("#login").TextContentAsync(), StringComparison.Ordinal);
        await ShotAsync(page, "login-prompt");

        await LogInAsync(page, "alice");
        await page.WaitForFunctionAsync("() => document.querySelector('#log').innerText.includes('first protected line')");
        await build.AppendAsync("second line, live\n");
        await page.WaitForFunctionAsync("() => document.querySelector('#log').innerText.includes('second line, live')");
        Assert.True(await page.Locator("#login").IsHiddenAsync());
        await ShotAsync(page, "login-streaming");

        await page.GotoAsync($"/t/{Tenant}/builds");
        await page.WaitForSelectorAsync($"tr[data-uuid=\"{build.Id}\"]");
        await ShotAsync(page, "login-builds");
        await build.FinishAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AUserOfAnotherTenantIsRefusedAndOffersToLogInAgain()
    {
        var build = await oidc.Harness.StartBuildAsync(oidc.JobRoot, "oidc-other", tenant: Tenant);
        await build.AppendAsync("not for bob\n");
        var page = await oidc.NewPageAsync();
        await page.GotoAsync($"/t/{Tenant}/stream/{build.Id}?logfile=console.log");
        await page.WaitForSelectorAsync("#login-button");
        await LogInAsync(page, "bob");
        await page.WaitForFunctionAsync("() => document.getElementById('state').textContent.startsWith('not allowed')");
        await page.WaitForFunctionAsync("() => document.getElementById('login-button')?.textContent === 'Log in again'");
        Assert.Contains("does not allow", await page.Locator("#login").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#log .line").CountAsync());
        await ShotAsync(page, "login-refused");
        await build.FinishAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ProviderSignedTokensAreCheckedForAudienceExpiryAndKey()
    {
        var build = await oidc.Harness.StartBuildAsync(oidc.JobRoot, "oidc-tokens", tenant: Tenant);
        await build.AppendAsync("token line\n");
        var providerKey = new SigningCredentials(oidc.Provider.Key, SecurityAlgorithms.RsaSha256);
        string Make(SigningCredentials key, string audience = OidcFixture.ClientId, TimeSpan? issuedAgo = null) =>
            TestTokens.Make(new() { ["groups"] = new[] { OidcFixture.ReaderGroup } }, key, oidc.Provider.IssuerId, audience, TimeSpan.FromMinutes(5), issuedAgo);

        using var http = new HttpClient { BaseAddress = oidc.Web };
        async Task<HttpStatusCode> GetAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/tenant/{Tenant}/build/{build.Id}");
            request.Headers.Authorization = new("Bearer", token);
            return (await http.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await GetAsync(Make(providerKey)));
        var refused = new Dictionary<string, string>
        {
            ["expired"] = Make(providerKey, issuedAgo: TimeSpan.FromHours(1)),
            ["wrong audience"] = Make(providerKey, audience: "another-client"),
            ["unknown key"] = Make(TestTokens.Rs256()),
            ["another tenant's user"] = TestTokens.Make(new() { ["groups"] = new[] { "other-readers" } }, providerKey, oidc.Provider.IssuerId, OidcFixture.ClientId),
        };
        foreach (var (what, token) in refused)
        {
            var status = await GetAsync(token);
            Assert.True(status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{what}: {status}");
            var socket = await WebsocketClient.StreamAsync(oidc.Web, JsonSerializer.Serialize(new { uuid = build.Id, token }), Timeout, tenant: Tenant);
            Assert.True(socket.Status is (WebSocketCloseStatus)4001 or (WebSocketCloseStatus)4003, $"{what}: websocket closed {socket.Status} {socket.Reason}");
            Assert.Empty(socket.Text);
        }

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(refused["another tenant's user"]));
        await build.FinishAsync();
    }

    /// <summary>The console's login button, then the provider's login and consent pages, back to the console.</summary>
    /// <remarks>A step that times out says where the page stood: its address and text, what the browser logged and
    /// which requests failed, and the provider's last lines (a full run once saw the button's click lead nowhere).</remarks>
    private async Task LogInAsync(IPage page, string user)
    {
        var browser = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void OnConsole(object? sender, IConsoleMessage m) => browser.Enqueue($"console {m.Type}: {m.Text}");
        void OnRequestFailed(object? sender, Microsoft.Playwright.IRequest r) => browser.Enqueue($"request failed: {r.Method} {r.Url} ({r.Failure})");
        page.Console += OnConsole;
        page.RequestFailed += OnRequestFailed;
        var step = "the click on the console's login button to reach the provider";
        try
        {
            // Conditions, not navigation events: a wait for the navigation to the provider (WaitForURLAsync) once
            // timed out on the provider's page itself, its navigation missed between the click and the wait.
            await page.ClickAsync("#login-button");
            await AtAsync(page, oidc.Provider.IssuerId + "/");
            step = "the provider's login form";
            await page.FillAsync("input[name=login]", user);
            await page.FillAsync("input[name=password]", "any");
            await ShotAsync(page, $"login-provider-{user}");
            await page.ClickAsync("button[type=submit]");
            // Then the consent page (first login of this user for the client): its button, once the login form is gone.
            step = "the provider's consent page";
            await page.WaitForSelectorAsync("input[name=login]", new() { State = WaitForSelectorState.Detached });
            await page.ClickAsync("button[type=submit]");
            // The address, not the load event: what the page shows is awaited by each test; a load event held up by a
            // request the page makes at start (once, on a loaded machine, past the 30 s timeout) says nothing about the login.
            step = "the return to the console";
            await AtAsync(page, oidc.Web.GetLeftPart(UriPartial.Authority) + "/t/");
        }
        catch (TimeoutException ex)
        {
            await ShotAsync(page, $"failed-login-{user}");
            throw new TimeoutException(
                $"The login of {user} timed out waiting for {step} (page {page.Url}: {await page.InnerTextAsync("body")})" + Environment.NewLine
                + "Browser:" + Environment.NewLine + string.Join(Environment.NewLine, browser.TakeLast(20)) + Environment.NewLine
                + "Provider:" + Environment.NewLine + string.Join(Environment.NewLine, oidc.Provider.Output.TakeLast(20)),
                ex);
        }
        finally
        {
            page.Console -= OnConsole;
            page.RequestFailed -= OnRequestFailed;
        }
    }

    /// <summary>Waits until the page's address starts with <paramref name="prefix"/> (a navigation has committed there).</summary>
    private static Task AtAsync(IPage page, string prefix) =>
        Eventually.UntilAsync(() => page.Url.StartsWith(prefix, StringComparison.Ordinal), $"the page at {prefix}…", TimeSpan.FromSeconds(30));

    private Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(oidc.ScreenshotDirectory, $"{name}-1280x800.png") });
}
