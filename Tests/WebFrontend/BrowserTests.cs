using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>
/// The web console in headless Chromium, against a real cluster and executor: the build list updates live,
/// the log streams with colours, survives a dropped connection, ends with the finished marker; the zones
/// view lists the gateway; the dashboard loads. Screenshots go to artifacts/screenshots/.
/// </summary>
[Trait("Category", "Browser")]
public sealed class BrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const float WaitMs = 30_000;
    private const string GreenRgb = "rgb(35, 209, 139)"; // .fg-green in console.css
    private const string MagentaRgb = "rgb(214, 112, 214)"; // .fg-magenta

    [Fact]
    public async Task NewBuildAppearsLiveAndItsLogStreamsWithColoursToTheFinishedMarker()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/t/default/builds");
        await WaitAsync(page, "() => document.getElementById('live').dataset.live === 'true'", "the build list's event stream to open");
        // A marker that a reload would wipe: the row must arrive without one.
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        var build = await browser.StartBuildAsync("browser-demo");
        await WaitAsync(page, $"() => document.querySelector('tr[data-uuid=\"{build.Id}\"]') !== null", "the new build's row to appear without reloading");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the build list reloaded instead of updating live");
        Assert.Equal("browser-demo", await page.Locator($"tr[data-uuid=\"{build.Id}\"] td:nth-child(2)").TextContentAsync());
        await ShotAsync(page, "builds");

        await page.Locator($"tr[data-uuid=\"{build.Id}\"] a").ClickAsync();
        await page.WaitForURLAsync($"**/t/default/stream/{build.Id}?logfile=console.log", new() { Timeout = WaitMs });
        await WaitAsync(page, "() => window.zuulStream && window.zuulStream.socket && window.zuulStream.socket.readyState === 1", "the log's websocket to open");

        var expected = new List<string>();
        async Task WriteLineAsync(string plain, string raw)
        {
            expected.Add(plain);
            await build.AppendAsync(raw + "\n");
            var n = expected.Count;
            await WaitAsync(page, $"() => {{ const l = document.getElementById('L{n}'); return l !== null && l.querySelector('.text').textContent === {JsonSerializer.Serialize(plain)} && document.getElementById('L{n + 1}') === null; }}", $"line {n} to arrive while the build runs");
        }

        // Lines arrive one by one while the build runs; each is on the page before the next is written.
        for (var i = 1; i <= 8; i++)
        {
            await WriteLineAsync($"ok: step {i:D2} ünïcödé 😀", $"\u001b[32mok\u001b[0m: step {i:D2} ünïcödé 😀");
        }

        Assert.Equal(0, await page.Locator("#finished").CountAsync());
        var logTop = await page.EvaluateAsync<double>("() => document.getElementById('log').getBoundingClientRect().top");

        // Drop the connection: the page reconnects from its byte offset, without repeating or losing lines.
        await page.EvaluateAsync("() => window.zuulStream.socket.close()");
        await build.AppendAsync("written while disconnected\n");
        expected.Add("written while disconnected");
        await WaitAsync(page, "() => document.getElementById('state').textContent.startsWith('streaming (resumed)')", "the page to reconnect");
        for (var i = 9; i <= 12; i++)
        {
            await WriteLineAsync($"ok: step {i:D2} after reconnect", $"\u001b[32mok\u001b[0m: step {i:D2} after reconnect");
        }

        // Coloured text is rendered as colour, not as escape codes.
        var colour = await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#L1 .text span.fg-green')).color");
        Assert.Equal(GreenRgb, colour);
        Assert.Equal("ok", await page.Locator("#L1 .text span.fg-green").TextContentAsync());
        var logText = await page.Locator("#log").TextContentAsync() ?? string.Empty;
        Assert.DoesNotContain("\u001b", logText, StringComparison.Ordinal);
        Assert.DoesNotContain("[32m", logText, StringComparison.Ordinal);

        await build.FinishAsync();
        await WaitAsync(page, "() => document.getElementById('finished') !== null", "the finished marker");
        Assert.Equal("— end of log: build finished —", await page.Locator("#finished").TextContentAsync());
        Assert.StartsWith("finished", await page.Locator("#state").TextContentAsync(), StringComparison.Ordinal);
        await WaitAsync(page, "() => document.getElementById('meta').dataset.state === 'finished'", "the caption to show the build finished (from its build event)");
        // The executor's address is for admins only: the public caption names job and zone.
        var caption = await page.Locator("#meta").TextContentAsync();
        Assert.Contains("browser-demo · zone zone-a · started", caption, StringComparison.Ordinal);
        Assert.DoesNotContain("executor", caption, StringComparison.Ordinal);

        // Every line exactly once, in order, numbered 1..n.
        var lines = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#log .line .text')].map(e => e.textContent)");
        Assert.Equal(expected, lines);
        var ids = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#log .line')].map(e => e.id)");
        Assert.Equal(Enumerable.Range(1, expected.Count).Select(i => $"L{i}"), ids);

        // Nothing above the log moved while it streamed, reconnected and finished.
        Assert.Equal(logTop, await page.EvaluateAsync<double>("() => document.getElementById('log').getBoundingClientRect().top"));
        await ShotAsync(page, "log");

        await page.SetViewportSizeAsync(390, 844);
        await AssertNoHorizontalScrollAsync(page, "log page");
        await ShotAsync(page, "log", narrow: true);

        // The build list shows the finish, again without a reload.
        await page.GotoAsync("/t/default/builds");
        await WaitAsync(page, $"() => document.querySelector('tr[data-uuid=\"{build.Id}\"]')?.dataset.state === 'finished'", "the build to show as finished in the list");
        await AssertNoHorizontalScrollAsync(page, "build list");
        Assert.True(
            await page.EvaluateAsync<bool>("() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth <= w.clientWidth; }"),
            "the build list's table scrolls sideways at 390 px");
        await ShotAsync(page, "builds", narrow: true);
        await page.CloseAsync();
    }

    [Fact]
    public async Task LogDeepLinkToALineHighlightsItAndStopsFollowing()
    {
        var build = await browser.StartBuildAsync("deep-link");
        for (var i = 1; i <= 200; i++)
        {
            // Long enough to wrap at a phone's width.
            await build.AppendAsync($"line {i} {string.Join(' ', Enumerable.Repeat("wrapping-words", 8))}\n");
        }

        await build.FinishAsync();
        var page = await NewPageAsync();
        await page.GotoAsync($"/t/default/stream/{build.Id}?logfile=console.log#L50");
        await WaitAsync(page, "() => document.getElementById('finished') !== null", "the finished marker");
        Assert.Contains("target", await page.Locator("#L50").GetAttributeAsync("class") ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal("false", await page.Locator("#follow").GetAttributeAsync("aria-pressed"));
        Assert.True(await page.Locator("#L50").IsVisibleAsync());
        var inView = await page.EvaluateAsync<bool>(
            "() => { const l = document.getElementById('L50').getBoundingClientRect(), g = document.getElementById('log').getBoundingClientRect(); return l.top >= g.top && l.bottom <= g.bottom; }");
        Assert.True(inView, "line 50 is not scrolled into view");

        // The download is the log exactly as written.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download").ClickAsync());
        Assert.Equal($"{build.Id}-console.log", download.SuggestedFilename);
        var saved = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", $"download-{build.Id}.log");
        await download.SaveAsAsync(saved);
        Assert.Equal(await File.ReadAllBytesAsync(build.LogPath), await File.ReadAllBytesAsync(saved));
        File.Delete(saved);

        // Keyboard: End in the focused log follows the end again.
        await page.Locator("#log").FocusAsync();
        await page.Keyboard.PressAsync("End");
        await WaitAsync(page, "() => document.getElementById('follow').getAttribute('aria-pressed') === 'true'", "End to turn following back on");

        // Narrowing the window wraps lines; a following log stays at its end.
        await page.SetViewportSizeAsync(390, 844);
        await WaitAsync(page,
            "() => { const f = document.getElementById('finished').getBoundingClientRect(), g = document.getElementById('log').getBoundingClientRect(); return f.bottom <= g.bottom + 1 && f.top >= g.top; }",
            "the finished marker to stay in view after narrowing the window");
        await page.CloseAsync();
    }

    [Fact]
    public async Task LargeLogShowsItsTopMiddleAndEndInColourWithFewNodesAndALineLinkScrollsToItsLine()
    {
        const int Lines = 200_000;
        var build = await browser.StartBuildAsync("large-log");
        var log = new StringBuilder(Lines * 80);
        for (var i = 0; i < Lines; i++)
        {
            log.Append(LargeLogLine(i)).Append('\n');
        }

        await build.AppendAsync(log.ToString());
        await build.FinishAsync();
        var page = await NewPageAsync();
        await page.GotoAsync($"/t/default/stream/{build.Id}?logfile=console.log");
        await WaitAsync(page, $"() => document.getElementById('finished') !== null && {InView(Lines)}", $"the last line ({Lines}) in view with the finished marker");
        Assert.Equal($"finished · {Lines} lines", await page.Locator("#state").TextContentAsync());
        await AssertLineAsync(page, Lines, GreenRgb);
        await ShotAsync(page, "large-log-end");

        // A line link in the middle: the line scrolls into view, centred and highlighted; following stops.
        const int Middle = 100_001; // starts in the colour the line above left open
        await page.EvaluateAsync($"() => {{ location.hash = '#L{Middle}'; }}");
        await WaitAsync(page, InView(Middle), $"line {Middle} to scroll into view");
        Assert.Contains("target", await page.Locator($"#L{Middle}").GetAttributeAsync("class") ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal("false", await page.Locator("#follow").GetAttributeAsync("aria-pressed"));
        await AssertLineAsync(page, Middle, MagentaRgb);
        await AssertLineAsync(page, Middle + 1, ColourOfLargeLogLine(Middle + 1));

        // Clicking a line number names that line in the address without moving the view.
        var top = await page.EvaluateAsync<double>($"() => document.getElementById('L{Middle + 1}').getBoundingClientRect().top");
        await page.Locator($"#L{Middle + 1} a.ln").ClickAsync();
        Assert.EndsWith($"#L{Middle + 1}", page.Url, StringComparison.Ordinal);
        Assert.Contains("target", await page.Locator($"#L{Middle + 1}").GetAttributeAsync("class") ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal(top, await page.EvaluateAsync<double>($"() => document.getElementById('L{Middle + 1}').getBoundingClientRect().top"));

        // The top, from the keyboard.
        await page.Locator("#log").FocusAsync();
        await page.Keyboard.PressAsync("Home");
        await WaitAsync(page, InView(1), "line 1 in view after Home");
        await AssertLineAsync(page, 1, ColourOfLargeLogLine(1));
        await ShotAsync(page, "large-log-top");

        // Only what is on screen (and about a screen around it) is in the DOM.
        var nodes = await page.EvaluateAsync<int>("() => document.querySelectorAll('#log .line').length");
        Assert.InRange(nodes, 1, 300);
        await page.CloseAsync();
    }

    /// <summary>Line i (0-based) of the large log: its number in one of six colours, and every 1,000th line leaves magenta open for the next.</summary>
    private static string LargeLogLine(int i)
    {
        var n = i + 1;
        var rest = $" step {n} of the large log {new string('x', i % 50)}";
        if (i % 1000 == 0 && i > 0)
        {
            return $"carried {n:D6}\u001b[0m{rest}";
        }

        var line = $"\u001b[3{(i % 6) + 1}m{n:D6}\u001b[0m{rest}";
        return i % 1000 == 999 ? line + " \u001b[35mmagenta from here" : line;
    }

    private static string ColourOfLargeLogLine(int n) => ((n - 1) % 6) switch
    {
        0 => "rgb(241, 76, 76)",
        1 => GreenRgb,
        2 => "rgb(245, 245, 67)",
        3 => "rgb(59, 142, 234)",
        4 => MagentaRgb,
        _ => "rgb(41, 184, 219)",
    };

    private static string InView(int n) =>
        $"(() => {{ const l = document.getElementById('L{n}'); if (!l) return false; const r = l.getBoundingClientRect(), g = document.getElementById('log').getBoundingClientRect(); return r.top >= g.top && r.bottom <= g.bottom; }})()";

    /// <summary>Line n shows the large log's text without escapes, its first part in <paramref name="colour"/>.</summary>
    private static async Task AssertLineAsync(IPage page, int n, string colour)
    {
        var expected = Regex.Replace(LargeLogLine(n - 1), "\u001b\\[[0-9;]*m", string.Empty);
        Assert.Equal(expected, await page.Locator($"#L{n} .text").TextContentAsync());
        Assert.Equal(colour, await page.EvaluateAsync<string>($"() => getComputedStyle(document.querySelector('#L{n} .text span')).color"));
    }

    [Fact]
    public async Task UnknownBuildShowsTheStreamError()
    {
        var page = await NewPageAsync();
        await page.GotoAsync($"/t/default/stream/{Guid.NewGuid():N}?logfile=console.log");
        await WaitAsync(page, "() => document.getElementById('state').textContent.startsWith('error:')", "the error for an unknown build");
        Assert.Equal(0, await page.Locator("#finished").CountAsync());
        await page.CloseAsync();
    }

    [Fact]
    public async Task BuildListIsKeyboardUsable()
    {
        var build = await browser.StartBuildAsync("keyboard");
        var page = await NewPageAsync();
        await page.GotoAsync("/t/default/builds");
        await WaitAsync(page, $"() => document.querySelector('tr[data-uuid=\"{build.Id}\"]') !== null", "the build's row");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        for (var i = 0; i < 30 && await page.EvaluateAsync<string>("() => document.activeElement.closest('tr')?.dataset.uuid ?? ''") != build.Id; i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Equal(build.Id, await page.EvaluateAsync<string>("() => document.activeElement.closest('tr')?.dataset.uuid ?? ''"));

        // A live update redraws the list; the keyboard user's focus stays on their build.
        var other = await browser.StartBuildAsync("keyboard-other");
        await WaitAsync(page, $"() => document.querySelector('tr[data-uuid=\"{other.Id}\"]') !== null", "the other build's row");
        Assert.Equal(build.Id, await page.EvaluateAsync<string>("() => document.activeElement.closest('tr')?.dataset.uuid ?? ''"));
        await page.Keyboard.PressAsync("Enter");
        await WaitAsync(page, $"() => location.pathname.endsWith('/stream/{build.Id}') && document.readyState === 'complete'", "Enter on the focused link to open the build's log");
        await build.FinishAsync();
        await other.FinishAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task ZonesViewListsTheGateways()
    {
        var build = await browser.StartBuildAsync("zones-view");
        var page = await NewPageAsync();
        // The zones view (executor and gateway addresses) is the admin listener's.
        await page.GotoAsync(new Uri(browser.Cluster.Admin, "/zones.html").ToString());
        var gateway = $"127.0.0.1:{browser.Cluster.Silo.FingerPort}";
        await WaitAsync(page, $"() => [...document.querySelectorAll('section.zone[data-zone=\"{WebConsoleCluster.Zone}\"] li.gateway')].some(li => li.textContent.includes('{gateway}'))", $"gateway {gateway} in {WebConsoleCluster.Zone}");
        Assert.Contains("running", await page.Locator($"section.zone[data-zone=\"{WebConsoleCluster.Zone}\"] li.gateway").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator($"section.zone[data-zone=\"{WebConsoleCluster.Zone}\"] a[title=\"{build.Id}\"]").CountAsync());
        Assert.Equal(1, await page.Locator("section.zone[data-zone=\"\"]").CountAsync());
        Assert.Equal("Un-zoned executors", await page.Locator("section.zone[data-zone=\"\"] h3").TextContentAsync());
        await ShotAsync(page, "zones");
        await page.SetViewportSizeAsync(390, 844);
        await AssertNoHorizontalScrollAsync(page, "zones view");
        await ShotAsync(page, "zones", narrow: true);
        await build.FinishAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task DashboardLoadsAndShowsTheGrains()
    {
        await browser.StartBuildAsync("dashboard");
        var page = await NewPageAsync(allowConsoleErrors: true);
        await page.GotoAsync(new Uri(browser.Cluster.Admin, "/zones.html").ToString());
        await page.Locator("header nav a", new() { HasText = "Dashboard" }).ClickAsync();
        await page.WaitForURLAsync("**/dashboard/", new() { Timeout = WaitMs });
        await WaitAsync(page, "() => document.body.innerText.toLowerCase().includes('total activations')", "the dashboard's overview");
        await ShotAsync(page, "dashboard");
        await page.GetByRole(AriaRole.Link, new() { Name = "Grains", Exact = true }).ClickAsync();
        await WaitAsync(page, "() => document.body.innerText.includes('BuildGrain') && document.body.innerText.includes('ZoneGatewayGrain')", "the dashboard to list BuildGrain and ZoneGatewayGrain");
        await ShotAsync(page, "dashboard-grains");
        // The dashboard labels every grain type whose name starts with "Orleans." a "System Grain" (and hides those
        // with its "hide system grains" preference): ours live outside that namespace, Orleans' own still carry the label.
        var labels = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('tr')].filter(r => r.querySelector('a[href^=\"#/grain/\"]')).map(r => r.querySelector('a').closest('td').title + '|' + r.innerText)");
        Assert.Contains(labels, l => l.Contains(".BuildGrain|", StringComparison.Ordinal) && !l.Contains("System Grain", StringComparison.Ordinal));
        Assert.Contains(labels, l => l.Contains(".ZoneGatewayGrain|", StringComparison.Ordinal) && !l.Contains("System Grain", StringComparison.Ordinal));
        Assert.Contains(labels, l => l.StartsWith("Orleans.", StringComparison.Ordinal) && l.Contains("System Grain", StringComparison.Ordinal));
        Assert.DoesNotContain(labels, l => l.StartsWith("Zuul.", StringComparison.Ordinal) && l.Contains("System Grain", StringComparison.Ordinal));
        // Silos are named after their zone.
        await page.GetByRole(AriaRole.Link, new() { Name = "Silos", Exact = true }).ClickAsync();
        await WaitAsync(page, $"() => document.body.innerText.includes('{WebConsoleCluster.Zone}-')", "the dashboard to list the silo with its zone");
        await ShotAsync(page, "dashboard-silos");
        await page.SetViewportSizeAsync(390, 844);
        await ShotAsync(page, "dashboard-silos", narrow: true);
        await page.CloseAsync();
    }

    private async Task<IPage> NewPageAsync(bool allowConsoleErrors = false)
    {
        var page = await browser.Browser.NewPageAsync();
        await page.SetViewportSizeAsync(1280, 800);
        page.SetDefaultTimeout(WaitMs);
        if (!allowConsoleErrors)
        {
            page.PageError += (_, error) => Errors.Add($"{page.Url}: {error}");
        }

        return page;
    }

    private List<string> Errors { get; } = [];

    /// <summary>Waits for a JavaScript condition; a timeout fails with what did not happen.</summary>
    private async Task WaitAsync(IPage page, string predicate, string what)
    {
        try
        {
            await page.WaitForFunctionAsync(predicate, null, new PageWaitForFunctionOptions { Timeout = WaitMs, PollingInterval = 50 });
        }
        catch (TimeoutException)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(browser.ScreenshotDirectory, $"failed-{DateTime.UtcNow:HHmmss}.png") });
            var state = await page.EvaluateAsync<string>("() => document.getElementById('state')?.textContent ?? document.getElementById('status')?.textContent ?? ''");
            var focus = await page.EvaluateAsync<string>("() => document.activeElement?.outerHTML?.slice(0, 200) ?? ''");
            throw new TimeoutException($"Timed out after {WaitMs / 1000} s waiting for {what} (page {page.Url}, status '{state}', focus {focus}, errors: {string.Join("; ", Errors)})");
        }

        Assert.Empty(Errors);
    }

    private static async Task AssertNoHorizontalScrollAsync(IPage page, string what)
    {
        var (scroll, width) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => window.innerWidth"));
        Assert.True(scroll <= width, $"the {what} scrolls sideways at {width} px (content {scroll} px wide)");
    }

    private Task ShotAsync(IPage page, string name, bool narrow = false) =>
        page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(browser.ScreenshotDirectory, narrow ? $"{name}-390x844.png" : $"{name}-1280x800.png"),
        });
}
