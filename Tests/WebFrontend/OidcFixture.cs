using Microsoft.Playwright;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>
/// A real OpenID Connect provider (npm oidc-provider, RS256) and a web frontend whose tenant <see cref="Tenant"/> only
/// its readers (<c>groups=oidc-readers</c>) may read, logging in through that provider; a cluster with an executor;
/// headless Chromium. Users: <c>alice</c> (a reader), <c>bob</c> (a reader of another tenant only).
/// </summary>
public sealed class OidcFixture : IAsyncLifetime
{
    public const string Tenant = "oidc-t";
    public const string ClientId = "zuul-console";
    public const string ReaderGroup = "oidc-readers";

    private IPlaywright? _playwright;

    public ClusterHarness Harness { get; } = new();

    public OidcProvider Provider { get; private set; } = null!;

    public Uri Web { get; private set; } = null!;

    public string JobRoot { get; } = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "oidc-" + Guid.NewGuid().ToString("N"));

    public IBrowser Browser { get; private set; } = null!;

    public string ScreenshotDirectory { get; } = Screenshots.Directory();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(JobRoot);
        await Harness.StartSiloAsync(WebConsoleCluster.Zone);
        await Harness.StartExecutorAppAsync(JobRoot, WebConsoleCluster.Zone, "127.0.0.1");
        // The frontend needs the issuer at start, the provider the frontend's redirect URI: the provider's port comes first.
        var issuer = $"http://127.0.0.1:{TestPorts.Next()}";
        Web = await Harness.StartWebFrontendAsync(null,
            "--Auth:Authenticators:sso:Driver", "OpenIDConnect",
            "--Auth:Authenticators:sso:IssuerId", issuer,
            "--Auth:Authenticators:sso:ClientId", ClientId,
            "--Auth:Authenticators:sso:Scope", "openid profile",
            $"--Auth:Tenants:{Tenant}:ReadProtected", "true",
            $"--Auth:Tenants:{Tenant}:ReadRules:0", "groups=" + ReaderGroup,
            $"--Auth:Tenants:{Tenant}:AuthRealm", "sso");
        Provider = await OidcProvider.StartAsync(new Uri(issuer).Port, ClientId, new Uri(Web, "/auth/callback"), new Dictionary<string, object>
        {
            ["alice"] = new Dictionary<string, object> { ["name"] = "Alice", ["groups"] = new[] { ReaderGroup } },
            ["bob"] = new Dictionary<string, object> { ["name"] = "Bob", ["groups"] = new[] { "other-readers" } },
        });

        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            Timeout = 60_000,
        });
    }

    /// <summary>A fresh browser context (no session, no stored token) on the frontend.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Web.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Provider is not null)
        {
            await Provider.DisposeAsync();
        }

        await Harness.DisposeAsync();
        try
        {
            Directory.Delete(JobRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
