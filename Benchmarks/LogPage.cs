using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Zuul.LiveLog.Benchmarks;

internal sealed record FinishedLogResult(
    int Lines, long Bytes, double LastLineVisibleMs, double HeapMb, double ArrayBuffersMb, int DomNodes, FrameStats Scrolling);

internal sealed record GrowingLogResult(
    int LinesPerSecond, int Lines, double Seconds, double LagP50Ms, double LagMaxMs, double LastLineVisibleMs, double HeapMb, double ArrayBuffersMb, int DomNodes, FrameStats Frames);

/// <summary>
/// Frames seen while something ran: intervals between animation frames, and the browser's long-animation-frame
/// records (main-thread work of one frame over 50 ms, what a performance trace shows as long frames).
/// </summary>
internal sealed record FrameStats(int Frames, double P99IntervalMs, double MaxIntervalMs, int IntervalsOver50, int LongFrames, double LongestFrameMs);

/// <summary>
/// The log page in Debian's Chromium (headless, driven by Playwright) through the web frontend and two hops
/// (web -> gateway B -> executor B): a finished 1,000,000-line log (time until its last line is visible, JS memory,
/// frames while scrolling by wheel, by jumps and by keys) and a log growing at 5,000 lines a second.
/// </summary>
internal static class LogPage
{
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    // Records animation-frame intervals and long animation frames from now until window.__frames.stop() is called.
    private const string FrameRecorder = """
        () => {
          const f = { intervals: [], long: [], running: true };
          let last = performance.now();
          const tick = now => { f.intervals.push(now - last); last = now; if (f.running) requestAnimationFrame(tick); };
          requestAnimationFrame(tick);
          const obs = new PerformanceObserver(l => { for (const e of l.getEntries()) f.long.push(e.duration); });
          obs.observe({ type: 'long-animation-frame' });
          f.stop = () => { f.running = false; obs.takeRecords().forEach(e => f.long.push(e.duration)); obs.disconnect(); return { intervals: f.intervals, long: f.long.filter(d => d > 50) }; };
          window.__frames = f;
        }
        """;

    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    public static bool Available => File.Exists(ChromiumPath);

    public static async Task<FinishedLogResult> FinishedAsync(Topology topo, int lines, Action<string> say)
    {
        var path = Path.Combine(topo.WorkDir, "page-log.txt");
        var bytes = ZuulLikeLog.Write(path, long.MaxValue, lines);
        var (id, _) = topo.CreateBuild(topo.JobRootB, linkTo: path);
        await topo.WaitForBuildsAsync([id], finished: true);
        say($"  finished log: {lines} lines, {bytes / 1e6:0} MB; opening it");
        await using var browser = await BrowserSession.StartAsync();
        var page = browser.Page;

        // Warm-up (not measured): the same page over a small log, so the web frontend's path is compiled.
        var (small, _) = topo.CreateBuild(topo.JobRootB, Encoding.ASCII.GetBytes("warm-up line\n"));
        await topo.WaitForBuildsAsync([small], finished: true);
        await page.GotoAsync($"http://127.0.0.1:{topo.Web}/t/default/stream/{small}?logfile=console.log");
        await page.WaitForFunctionAsync("() => document.getElementById('finished') !== null", null, new() { Timeout = 60_000 });

        await page.GotoAsync($"http://127.0.0.1:{topo.Web}/t/default/stream/{id}?logfile=console.log");
        // Polled on every animation frame; the page's clock starts at navigation.
        var visible = await page.WaitForFunctionAsync(
            $"() => {{ const l = document.getElementById('L{lines}'); if (!l || !document.getElementById('finished')) return false; const r = l.getBoundingClientRect(), g = document.getElementById('log').getBoundingClientRect(); return r.top >= g.top && r.bottom <= g.bottom ? performance.now() : false; }}",
            null, new() { Timeout = 300_000 });
        var ms = await visible.JsonValueAsync<double>();
        say($"  last line visible after {ms:0} ms");
        var (heap, buffers, nodes) = await browser.MemoryAsync();

        say("  scrolling: wheel, jumps, keys");
        await page.EvaluateAsync(FrameRecorder);
        var box = await page.Locator("#log").BoundingBoxAsync();
        await page.Mouse.MoveAsync(box!.X + (box.Width / 2), box.Y + (box.Height / 2));
        for (var i = 0; i < 80; i++)
        {
            await page.Mouse.WheelAsync(0, -400);
            await NextFrameAsync(page);
        }

        var random = new Random(17);
        for (var i = 0; i < 60; i++)
        {
            // A jump of the scrollbar thumb: anywhere in the log.
            await page.EvaluateAsync($"() => {{ const l = document.getElementById('log'); l.scrollTop = {random.NextDouble().ToString(System.Globalization.CultureInfo.InvariantCulture)} * (l.scrollHeight - l.clientHeight); }}");
            await NextFrameAsync(page);
            await NextFrameAsync(page);
        }

        await page.Locator("#log").FocusAsync();
        for (var i = 0; i < 40; i++)
        {
            await page.Keyboard.PressAsync(i < 20 ? "PageUp" : "PageDown");
            await NextFrameAsync(page);
        }

        for (var i = 0; i < 80; i++)
        {
            await page.Mouse.WheelAsync(0, 400);
            await NextFrameAsync(page);
        }

        var frames = await StopFramesAsync(page);
        return new FinishedLogResult(lines, bytes, ms, heap, buffers, nodes, frames);
    }

    public static async Task<GrowingLogResult> GrowingAsync(Topology topo, int linesPerSecond, TimeSpan duration, Action<string> say)
    {
        var (id, log) = topo.CreateBuild(topo.JobRootB, Encoding.ASCII.GetBytes("build started\n"), finished: false);
        await topo.WaitForBuildsAsync([id]);
        await using var browser = await BrowserSession.StartAsync();
        var page = browser.Page;
        await page.GotoAsync($"http://127.0.0.1:{topo.Web}/t/default/stream/{id}?logfile=console.log");
        await page.WaitForFunctionAsync("() => window.zuulStream && window.zuulStream.socket && window.zuulStream.socket.readyState === 1", null, new() { Timeout = 60_000 });
        await page.EvaluateAsync(FrameRecorder);
        say($"  growing log: {linesPerSecond} lines/s for {duration.TotalSeconds:0} s, the page following");

        // The writer appends what is due every few milliseconds; each line is numbered, the first one line 2 of the log.
        var lagMs = new List<double>();
        var written = 0;
        var total = (int)(linesPerSecond * duration.TotalSeconds);
        await using (var file = new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            var sb = new StringBuilder();
            var clock = Stopwatch.StartNew();
            var nextSample = 0.25;
            while (written < total)
            {
                var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * linesPerSecond));
                sb.Clear();
                for (; written < due; written++)
                {
                    ZuulLikeLog.AppendLine(sb, written);
                }

                if (sb.Length > 0)
                {
                    await file.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()));
                    await file.FlushAsync();
                }

                if (clock.Elapsed.TotalSeconds >= nextSample)
                {
                    // How far behind the page is: lines written but not yet received, in seconds of writing.
                    var lines = await page.EvaluateAsync<int>("() => window.zuulStream.lines");
                    lagMs.Add(Math.Max(0, written + 1 - lines) * 1000.0 / linesPerSecond);
                    nextSample += 0.25;
                }

                await Task.Delay(5);
            }
        }

        var stopped = Stopwatch.StartNew();
        var last = total + 1;
        await page.WaitForFunctionAsync(
            $"() => {{ const l = document.getElementById('L{last}'); if (!l) return false; const r = l.getBoundingClientRect(), g = document.getElementById('log').getBoundingClientRect(); return r.top >= g.top && r.bottom <= g.bottom; }}",
            null, new() { Timeout = 120_000 });
        var tail = stopped.Elapsed.TotalMilliseconds;
        var frames = await StopFramesAsync(page);
        var (heap, buffers, nodes) = await browser.MemoryAsync();
        await File.WriteAllTextAsync(log + ".done", "SUCCESS\n");
        return new GrowingLogResult(linesPerSecond, total, duration.TotalSeconds, Stats.Median(lagMs), Stats.Max(lagMs), tail, heap, buffers, nodes, frames);
    }

    private static Task NextFrameAsync(IPage page) => page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => r()))");

    private static async Task<FrameStats> StopFramesAsync(IPage page)
    {
        var json = await page.EvaluateAsync<JsonElement>("() => window.__frames.stop()");
        var intervals = json.GetProperty("intervals").EnumerateArray().Select(e => e.GetDouble()).Skip(1).ToList();
        var longFrames = json.GetProperty("long").EnumerateArray().Select(e => e.GetDouble()).ToList();
        return new FrameStats(intervals.Count, Stats.Percentile(intervals, 99), Stats.Max(intervals), intervals.Count(i => i > 50),
            longFrames.Count, longFrames.Count == 0 ? 0 : longFrames.Max());
    }

    /// <summary>Playwright, one Chromium with one 1280x800 page, and a DevTools session on it.</summary>
    private sealed class BrowserSession : IAsyncDisposable
    {
        private IPlaywright _playwright = null!;
        private IBrowser _browser = null!;
        private ICDPSession _cdp = null!;

        public IPage Page { get; private set; } = null!;

        public static async Task<BrowserSession> StartAsync()
        {
            var s = new BrowserSession { _playwright = await Playwright.CreateAsync() };
            s._browser = await s._playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });
            s.Page = await s._browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
            s._cdp = await s.Page.Context.NewCDPSessionAsync(s.Page);
            return s;
        }

        /// <summary>After a full garbage collection: JS heap in use and ArrayBuffer backing stores (MB), and DOM nodes.</summary>
        public async Task<(double HeapMb, double ArrayBuffersMb, int Nodes)> MemoryAsync()
        {
            await _cdp.SendAsync("HeapProfiler.collectGarbage");
            var usage = await _cdp.SendAsync("Runtime.getHeapUsage");
            var nodes = await Page.EvaluateAsync<int>("() => document.getElementsByTagName('*').length");
            return (usage!.Value.GetProperty("usedSize").GetDouble() / 1e6, usage.Value.GetProperty("backingStorageSize").GetDouble() / 1e6, nodes);
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.CloseAsync();
            _playwright.Dispose();
        }
    }
}
