using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>One row of the result table.</summary>
internal sealed record Row(string Section, string Metric, string Value, string Reference, string Target, bool? Met);

/// <summary>
/// Runs every measurement against one topology of real processes and prints the table and a JSON line. The measurements
/// live in the partial files by kind: <c>.Throughput</c>, <c>.Latency</c>, <c>.Cluster</c> (ZooKeeper, grain, idle
/// streams), <c>.Allocation</c>.
/// </summary>
internal sealed partial class Bench(BenchOptions options)
{
    private readonly List<Row> _rows = [];
    private readonly Dictionary<string, object?> _json = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _streams;
    private string? _streamsNote;

    private void Say(string text) => Console.Error.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0}s] {text}");

    private static string F(double v, string format = "0.00") => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);

    public async Task<int> RunAsync()
    {
        var limit = Os.RaiseFileLimit(65536);
        var repo = FindRepoRoot();
        var work = Path.Combine(Path.GetTempPath(), "orleans-zuul-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Environment.ProcessId);
        Directory.CreateDirectory(work);
        Say($"Orleans.Zuul benchmark ({(options.Quick ? "quick" : "full")}): log {options.LogMb} MB, {options.Streams} idle streams, fd limit {limit}, {Environment.ProcessorCount} cores");
        _json["mode"] = options.Quick ? "quick" : "full";
        _json["log_mb"] = options.LogMb;
        _json["cores"] = Environment.ProcessorCount;
        _json["started_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        // With shared upstreams a gateway holds one descriptor per stream (the client's) plus a few hundred of its own;
        // so does this load client.
        _streams = options.Streams;
        if (limit > 0 && (ulong)options.Streams + 500 > limit)
        {
            _streams = (int)(limit - 500);
            _streamsNote = $"capped from {options.Streams}: the fd hard limit is {limit} and cannot be raised here (no CAP_SYS_RESOURCE)";
            Say("NOTE: idle streams " + _streamsNote);
            _json["streams_requested"] = options.Streams;
        }

        var failed = false;
        if (!options.Skip.Contains("alloc"))
        {
            await AllocationAsync();
        }

        if (!options.Skip.Contains("zookeeper"))
        {
            await ZooKeeperAsync(work);
        }

        var topo = new Topology(repo, work);
        void Interrupted(System.Runtime.InteropServices.PosixSignalContext ctx)
        {
            ctx.Cancel = true;
            Say($"{ctx.Signal}: stopping the processes this benchmark started");
            topo.EmergencyStop();
            Environment.Exit(130);
        }

        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Interrupted);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Interrupted);
        try
        {
            // Its own small clusters, before the big topology starts (so that one's idle processes do not weigh on it).
            if (!options.Skip.Contains("orleans-tls"))
            {
                await OrleansTlsAsync(topo);
            }

            // The big topology only when something measures on it (--skip can leave just the parts above).
            string[] onTopology = ["throughput", "fingerload", "ttfb", "follow", "resolve", "page", "concurrency", "fanout"];
            if (options.Hold > 0 || onTopology.Any(part => !options.Skip.Contains(part)))
            {
                await topo.StartAsync(Say);
                LoadClient.ClientCertificate = topo.ClientCert.Loaded;
                _json["fakestreamer"] = topo.HasFakeStreamer;
                await MeasureAsync(topo);
            }
        }
        catch (Exception e)
        {
            failed = true;
            Say("FAILED: " + e);
            Console.Error.WriteLine("logs: " + topo.LogDir);
        }
        finally
        {
            Say("stopping processes");
            await topo.DisposeAsync();
            if (!options.Keep && !failed)
            {
                try
                {
                    Directory.Delete(work, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        _json["seconds"] = Math.Round(_clock.Elapsed.TotalSeconds, 1);
        _json["failed"] = failed;
        PrintTable();
        // NaN/infinity (a measurement that produced nothing) become null: JSON has no such numbers.
        foreach (var key in _json.Keys.ToList())
        {
            if (_json[key] is double d && !double.IsFinite(d))
            {
                _json[key] = null;
            }
        }

        Console.WriteLine(JsonSerializer.Serialize(_json));
        return failed ? 1 : 0;
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Orleans.Zuul.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Orleans.Zuul.sln)");
    }

    private async Task MeasureAsync(Topology topo)
    {
        // Data: one big log (finished, so every read goes to EOF), hard-linked into every job root.
        var size = options.LogMb * 1_000_000L;
        var big = Path.Combine(topo.WorkDir, "big-job-output.txt");
        Say($"writing a {options.LogMb} MB Zuul-like log");
        Topology.WriteZuulLikeLog(big, size);
        var bigB = topo.CreateBuild(topo.JobRootB, linkTo: big).Id;
        var bigC = topo.CreateBuild(topo.JobRootC, linkTo: big).Id;
        var bigF = topo.HasFakeStreamer ? topo.CreateBuild(topo.FakeRoot, linkTo: big).Id : bigB;
        await topo.WaitForBuildsAsync([bigB, bigC]);
        _ = await File.ReadAllBytesAsync(big); // page cache

        var direct = topo.HasFakeStreamer
            ? new Target("direct-ref", "reference streamer direct (fakestreamer.py, sendfile)", topo.Fake, bigF)
            : new Target("executor", "executor direct", topo.EB, bigB);
        var targets = new List<Target>
        {
            new("executor", "executor direct", topo.EB, bigB),
            new("gw-1hop", "gateway 1 hop (B -> executor)", topo.GB, bigB),
            new("gw-2hop", "gateway 2 hops plaintext (A -> B -> executor)", topo.GA, bigB),
            new("gw-1hop-tls", "gateway 1 hop TLS, client cert (C -> executor)", topo.GC, bigC, Tls: true) { Sni = Topology.GwCName },
            new("gw-2hop-tls", "gateway 2 hops TLS (A -mTLS-> C -> executor)", topo.GA, bigC),
            new("websocket", "websocket via web frontend (web -> B -> executor)", topo.Web, bigB, Websocket: true),
            new("socat-1hop", "socat 1 hop", topo.Socat1, bigF),
            new("socat-2hop", "socat 2 hops", topo.Socat2, bigF),
        };
        if (topo.HasFakeStreamer)
        {
            targets.Insert(0, direct);
        }

        if (!options.Skip.Contains("throughput"))
        {
            await ThroughputAsync(topo, targets, direct, size);
        }

        if (!options.Skip.Contains("fingerload"))
        {
            await FingerloadAsync(topo, targets.First(t => t.Key == "gw-2hop"), big, size);
        }

        if (!options.Skip.Contains("ttfb"))
        {
            await TtfbAsync(topo);
        }

        if (!options.Skip.Contains("follow"))
        {
            await FollowAsync(topo);
        }

        if (!options.Skip.Contains("resolve"))
        {
            await ResolveAsync(topo);
        }

        if (!options.Skip.Contains("page"))
        {
            await LogPageAsync(topo);
        }

        if (options.Hold > 0)
        {
            // Diagnosis: keep everything up for outside tools.
            var info = $"GA={topo.GA} GB={topo.GB} GC={topo.GC} EB={topo.EB} EC={topo.EC} WEB={topo.Web} FAKE={topo.Fake} SOCAT1={topo.Socat1} SOCAT2={topo.Socat2} BIGB={bigB} BIGC={bigC} BIGF={bigF} BIG={big} JOBB={topo.JobRootB} JOBC={topo.JobRootC} FAKEROOT={topo.FakeRoot}";
            await File.WriteAllTextAsync(Path.Combine(topo.WorkDir, "hold.env"), info.Replace(' ', '\n') + "\n");
            Say($"holding {options.Hold} s: {info}");
            await Task.Delay(TimeSpan.FromSeconds(options.Hold));
        }

        if (!options.Skip.Contains("concurrency"))
        {
            foreach (var tls in new[] { false, true })
            {
                await ConcurrencyAsync(topo, tls);
            }
        }

        if (!options.Skip.Contains("fanout"))
        {
            await FanoutAsync(topo);
        }
    }

    private void PrintTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine($"Orleans.Zuul benchmark, {(options.Quick ? "quick" : "full")} run, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, log {options.LogMb} MB (1 MB = 10^6 B), {options.Streams} idle streams");
        foreach (var section in _rows.GroupBy(r => r.Section))
        {
            sb.AppendLine();
            sb.AppendLine("### " + section.Key);
            sb.AppendLine();
            sb.AppendLine("| measurement | value | reference / ratio | target | met |");
            sb.AppendLine("|---|---|---|---|---|");
            foreach (var r in section)
            {
                var met = r.Met switch { true => "met", false => "NOT met", null => string.Empty };
                sb.AppendLine($"| {r.Metric} | {r.Value} | {r.Reference} | {r.Target} | {met} |");
            }
        }

        var targets = _rows.Where(r => r.Met is not null).ToList();
        sb.AppendLine();
        sb.AppendLine($"Targets met: {targets.Count(r => r.Met == true)} of {targets.Count}");
        Console.WriteLine(sb.ToString());
    }
}
