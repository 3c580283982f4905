using Microsoft.Playwright;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>
/// A cluster with a zoned silo (its finger gateway registered), a web frontend, a real executor in the same
/// zone writing into a job root, and headless Chromium (Debian's, driven by Playwright) with a fresh profile.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Chromium flags: no sandbox (root in CI), and none of its background traffic to the closed network.</summary>
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly string _profile = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "chromium-" + Guid.NewGuid().ToString("N"));
    private IPlaywright? _playwright;

    public WebConsoleCluster Cluster { get; } = new();

    public string JobRoot { get; } = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "web-" + Guid.NewGuid().ToString("N"));

    public IBrowserContext Browser { get; private set; } = null!;

    public string ScreenshotDirectory { get; } = Screenshots.Directory();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(JobRoot);
        await Cluster.InitializeAsync();
        await Cluster.Harness.StartExecutorAppAsync(JobRoot, WebConsoleCluster.Zone, "127.0.0.1");

        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new FileNotFoundException($"Chromium not found at {chromium}: install Debian's chromium and chromium-driver (scripts/test.sh does), or set CHROMIUM_PATH.", chromium);
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ChromiumArgs,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            BaseURL = Cluster.Web.ToString(),
            AcceptDownloads = true,
            Timeout = 60_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await Cluster.DisposeAsync();
        TryDelete(JobRoot);
        TryDelete(_profile);
    }

    /// <summary>Starts a build in the job root and waits until the executor has registered it.</summary>
    public Task<TestBuild> StartBuildAsync(string jobName) => Cluster.Harness.StartBuildAsync(JobRoot, jobName);

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
