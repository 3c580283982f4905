using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Orleans.Zuul.Benchmarks;
using Orleans.Zuul.Grains;

// The Orleans.Zuul benchmark (issue 8). Starts the real processes on 127.0.0.1 next to reference relays and
// measures throughput, time to first byte, follow latency, idle-stream memory, resolutions/s and relay allocation.
// Usage: scripts/bench.sh [--quick] [--log-mb N] [--streams N] [--skip a,b] [--keep]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: Orleans.Zuul.Benchmarks [--quick] [--log-mb N] [--streams N] [--skip alloc,zookeeper,throughput,fingerload,ttfb,follow,resolve,concurrency] [--keep] [--hold SECONDS]");
    return 2;
}

return await new Bench(options).RunAsync();

namespace Orleans.Zuul.Benchmarks
{
    internal sealed record BenchOptions(bool Quick, int LogMb, int Streams, HashSet<string> Skip, bool Keep, int Hold = 0)
    {
        public int Rounds1 => Quick ? 2 : 5;

        public int Reads1 => Quick ? 2 : 4;

        public int Rounds20 => Quick ? 1 : 3;

        public int Clients20 => 20;

        public int ColdRequests => Quick ? 30 : 100;

        public int WarmRequests => Quick ? 60 : 200;

        public int FollowLines => Quick ? 200 : 500;

        public double ResolveSeconds => Quick ? 2 : 5;

        public long AllocBytes => Quick ? 1024L << 20 : 2048L << 20;

        public static BenchOptions? Parse(string[] args)
        {
            var quick = args.Contains("--quick");
            int? logMb = null;
            int? streams = null;
            var skip = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var keep = false;
            var hold = 0;
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--quick":
                        break;
                    case "--keep":
                        keep = true;
                        break;
                    case "--log-mb" when i + 1 < args.Length && int.TryParse(args[i + 1], out var mb) && mb > 0:
                        logMb = mb;
                        i++;
                        break;
                    case "--streams" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
                        streams = n;
                        i++;
                        break;
                    case "--hold" when i + 1 < args.Length && int.TryParse(args[i + 1], out var h):
                        hold = h;
                        i++;
                        break;
                    case "--skip" when i + 1 < args.Length:
                        skip.UnionWith(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries));
                        break;
                    default:
                        return null;
                }
            }

            return new BenchOptions(quick, logMb ?? (quick ? 50 : 200), streams ?? (quick ? 1000 : 10000), skip, keep, hold);
        }
    }

    internal sealed record Row(string Section, string Metric, string Value, string Reference, string Target, bool? Met);

    internal sealed class Bench(BenchOptions options)
    {
        private readonly List<Row> _rows = [];
        private readonly Dictionary<string, object?> _json = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _streams;
        private string? _streamsNote;

        private void Say(string text) => Console.Error.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0}s] {text}");

        /// <summary>The project's ZooKeeper client against a local server: pipelined getData/setData, 1 and 64 in flight.</summary>
        private async Task ZooKeeperAsync(string work)
        {
            if (!ZooKeeperProcess.Available)
            {
                Say("Debian's zookeeper package is not installed; ZooKeeper benchmark skipped (scripts/bench.sh installs it)");
                return;
            }

            Say("ZooKeeper: starting a local server");
            await using var server = await ZooKeeperProcess.StartAsync(work);
            var results = await ZooKeeperBenchmark.RunAsync(server.ConnectionString, TimeSpan.FromSeconds(options.Quick ? 2 : 5), Console.Error);
            foreach (var r in results)
            {
                _rows.Add(new Row("zookeeper", $"{r.Operation}, {r.InFlight} in flight",
                    $"{F(r.OpsPerSecond, "0")} ops/s; p50 {F(r.P50.TotalMilliseconds, "0.000")} / p99 {F(r.P99.TotalMilliseconds, "0.000")} ms", "", "", null));
                _json[$"zk_{r.Operation}_{r.InFlight}_ops"] = Math.Round(r.OpsPerSecond);
            }
        }

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
            // A one-hop gateway holds two descriptors per stream (client + upstream) plus a few hundred of its own.
            _streams = options.Streams;
            if (limit > 0 && (ulong)(options.Streams * 2) + 500 > limit)
            {
                _streams = (int)((limit - 500) / 2);
                _streamsNote = $"capped from {options.Streams}: the fd hard limit is {limit} and cannot be raised here (no CAP_SYS_RESOURCE); a gateway needs 2 per stream";
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
                await topo.StartAsync(Say);
                LoadClient.ClientCertificate = topo.ClientCert.Loaded;
                _json["fakestreamer"] = topo.HasFakeStreamer;
                await MeasureAsync(topo);
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

        private async Task AllocationAsync()
        {
            foreach (var splice in new[] { false, true })
            {
                var how = splice ? "splice(2), plaintext socket to socket" : "copy path (TLS, or splicing off)";
                Say($"allocation: relaying {options.AllocBytes >> 20} MiB through FingerRelay.RunAsync in-process, {how}");
                var r = await RelayAllocation.RunAsync(options.AllocBytes, splice);
                // Everything the process allocated during the run (set-up and harness included, so never below the truth)
                // over the 64 KiB chunks relayed.
                _rows.Add(new Row("allocation", $"FingerRelay.RunAsync, {how}: {r.Bytes / 1e9:0.0} GB relayed in-process between loopback sockets ({F(r.MBps, "0")} MB/s)",
                    $"{F(r.BytesPerChunk, "0.00")} B / 64 KiB chunk",
                    $"least of 3 runs: {r.AllocatedBytes} B allocated by the whole process in {r.Chunks} chunks, connection set-up included (most: {r.MaxAllocatedBytes} B); steady state (full run minus an 1/8 run) {F(r.SteadyBytesPerChunk, "0.00")} B / chunk{(string.IsNullOrEmpty(r.TopTypes) ? string.Empty : "; sampled: " + r.TopTypes)}",
                    "~0 B per chunk (< 1)", r.BytesPerChunk < 1));
                var key = splice ? "alloc_splice" : "alloc";
                _json[$"{key}_bytes_per_chunk"] = Math.Round(r.BytesPerChunk, 4);
                _json[$"{key}_max_bytes"] = r.MaxAllocatedBytes;
                _json[$"{key}_total_bytes"] = r.AllocatedBytes;
                _json[$"{key}_relayed_bytes"] = r.Bytes;
            }
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
        }

        private async Task ThroughputAsync(Topology topo, List<Target> targets, Target direct, long size)
        {
            var timeout = TimeSpan.FromMinutes(5);

            // One untimed read per target first: the processes have just started (tiered JIT, thread pools, socket
            // buffers), and the first timed round would otherwise measure that.
            Say("throughput: one untimed read per target (warm-up)");
            foreach (var t in targets)
            {
                await LoadClient.ThroughputAsync(t, 1, 1, size, timeout);
            }

            foreach (var (clients, rounds, reads) in new[] { (1, options.Rounds1, options.Reads1), (options.Clients20, options.Rounds20, 1) })
            {
                Say($"throughput, {clients} client(s): {rounds} round(s), {reads} read(s) of {size / 1e6:0} MB per client per target");
                var mbps = targets.ToDictionary(t => t.Key, _ => new List<double>());
                var ratios = targets.ToDictionary(t => t.Key, _ => new List<double>());
                var ttfb = targets.ToDictionary(t => t.Key, _ => new List<double>());
                var errors = targets.ToDictionary(t => t.Key, _ => 0);
                var cpu = targets.ToDictionary(t => t.Key, _ => new List<double>());
                for (var round = 0; round < rounds; round++)
                {
                    var order = targets.Skip(round % targets.Count).Concat(targets.Take(round % targets.Count)).ToList();
                    var thisRound = new Dictionary<string, double>();
                    foreach (var t in order)
                    {
                        // The relays only (the streamer at the end of the path excluded), as ANCHORS.md counts; direct = the streamer.
                        var path = topo.PathPids(t.Key);
                        var pids = path.Length > 1 ? path[..^1] : path;
                        var cpu0 = Os.CpuSeconds(pids);
                        var run = await LoadClient.ThroughputAsync(t, clients, reads, size, timeout);
                        if (t.Key.StartsWith("socat", StringComparison.Ordinal))
                        {
                            await Task.Delay(200); // socat's children are counted once reaped
                        }

                        cpu[t.Key].Add((Os.CpuSeconds(pids) - cpu0) / (run.Bytes / 1e9));
                        thisRound[t.Key] = run.MBps;
                        mbps[t.Key].Add(run.MBps);
                        ttfb[t.Key].AddRange(run.TtfbMs);
                        errors[t.Key] += run.Errors;
                        Say($"  {t.Key,-12} {run.MBps,8:0} MB/s  ({run.Bytes / 1e6:0} MB in {run.Seconds:0.00} s, relay CPU {cpu[t.Key][^1]:0.00} s/GB, errors {run.Errors})");
                    }

                    foreach (var t in targets)
                    {
                        ratios[t.Key].Add(thisRound[t.Key] / thisRound[direct.Key]);
                    }
                }

                var section = $"throughput, {clients} client{(clients > 1 ? "s" : string.Empty)}";
                var jsonPrefix = $"tp{clients}";
                foreach (var t in targets)
                {
                    var m = Stats.Median(mbps[t.Key]);
                    var r = Stats.Median(ratios[t.Key]);
                    _json[$"{jsonPrefix}_{t.Key}_mbps"] = Math.Round(m, 1);
                    _json[$"{jsonPrefix}_{t.Key}_ratio_direct"] = Math.Round(r, 3);
                    _json[$"{jsonPrefix}_{t.Key}_errors"] = errors[t.Key];
                    var cpuPerGb = Stats.Median(cpu[t.Key]);
                    _json[$"{jsonPrefix}_{t.Key}_relay_cpu_s_per_gb"] = Math.Round(cpuPerGb, 3);
                    string target = string.Empty;
                    bool? met = null;
                    var reference = $"{F(r, "0.000")} x direct-ref";
                    if (t.Key == "executor" && t.Key != direct.Key)
                    {
                        target = ">= 0.8 x reference streamer";
                        met = r >= 0.8;
                    }
                    else if (t.Key == "gw-2hop")
                    {
                        var vsSocat = Stats.Median(mbps["gw-2hop"].Zip(mbps["socat-2hop"], (a, b) => a / b).ToList());
                        _json[$"{jsonPrefix}_gw-2hop_ratio_socat2"] = Math.Round(vsSocat, 2);
                        reference += $"; {F(vsSocat)} x socat 2 hops; nginx 1 hop (anchors) = {(clients == 1 ? "0.203" : "0.369")} x direct";
                        target = ">= 2 x socat 2 hops";
                        met = vsSocat >= 2;
                    }
                    else if (t.Key == "gw-2hop-tls")
                    {
                        var nginxTls = clients == 1 ? 0.138 : 0.239;
                        reference += $"; nginx TLS 1 hop (anchors) = {nginxTls} x direct";
                        target = ">= nginx TLS 1 hop";
                        met = r >= nginxTls;
                    }

                    if (errors[t.Key] > 0)
                    {
                        reference += $"; {errors[t.Key]} BAD STREAMS";
                        met = met is null ? null : false;
                    }

                    _rows.Add(new Row(section, t.Label, $"{F(m, "0")} MB/s; relay CPU {F(cpuPerGb)} s/GB", reference, target, met));
                }
            }
        }

        private async Task FingerloadAsync(Topology topo, Target target, string expectFile, long size)
        {
            var script = Path.Combine(topo.SharedBench, "fingerload.py");
            if (!File.Exists(script))
            {
                Say($"fingerload.py not found at {script}; cross-check skipped");
                return;
            }

            var repeat = options.Quick ? 2 : 3;
            Say($"cross-check: fingerload.py throughput against {target.Key} (1 client x {repeat}), next to our client");
            var ours = await LoadClient.ThroughputAsync(target, 1, repeat, size, TimeSpan.FromMinutes(3));
            var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { script, "throughput", "--port", target.Port.ToString(CultureInfo.InvariantCulture), "--uuid", target.Uuid, "--clients", "1", "--repeat", repeat.ToString(CultureInfo.InvariantCulture), "--expect-file", expectFile, "--label", "bench-crosscheck" })
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            var last = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "{}";
            double? theirs = null;
            int? theirErrors = null;
            try
            {
                using var doc = JsonDocument.Parse(last);
                theirs = FindNumber(doc.RootElement, "mb_s");
                theirErrors = (int?)FindNumber(doc.RootElement, "errors");
            }
            catch (JsonException)
            {
                Say("fingerload output not understood: " + last + "\n" + await stderr);
            }

            _json["fingerload_gw-2hop_mbps"] = theirs;
            _json["fingerload_errors"] = theirErrors;
            _json["ours_gw-2hop_mbps_paired"] = Math.Round(ours.MBps, 1);
            var ratio = theirs / ours.MBps;
            _rows.Add(new Row("cross-check", $"{target.Label}, 1 client x {repeat}",
                $"fingerload.py {F(theirs ?? double.NaN, "0")} MB/s (errors {theirErrors?.ToString(CultureInfo.InvariantCulture) ?? "?"})",
                $"ours {F(ours.MBps, "0")} MB/s (errors {ours.Errors}); fingerload/ours {F(ratio ?? double.NaN)}", "same order of magnitude", null));
        }

        private static double? FindNumber(JsonElement e, string name)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.Number)
                    {
                        return p.Value.GetDouble();
                    }
                }

                foreach (var p in e.EnumerateObject())
                {
                    if (FindNumber(p.Value, name) is { } v)
                    {
                        return v;
                    }
                }
            }

            return null;
        }

        private async Task TtfbAsync(Topology topo)
        {
            var small = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("2026-11-24 10:00:00.000000 | ubuntu-jammy | small log line for time to first byte\n", 40)));
            var cold = Enumerable.Range(0, options.ColdRequests).Select(_ => topo.CreateBuild(topo.JobRootB, small).Id).ToList();
            var warmB = topo.CreateBuild(topo.JobRootB, small).Id;
            var warmC = topo.CreateBuild(topo.JobRootC, small).Id;
            var warmF = topo.HasFakeStreamer ? topo.CreateBuild(topo.FakeRoot, small).Id : warmB;
            await topo.WaitForBuildsAsync([.. cold, warmB, warmC], finished: true);
            await Task.Delay(1000); // the executor's registrations are done; let the cluster settle
            Say($"time to first byte: {cold.Count} cold requests (a new build each) and {options.WarmRequests} warm rounds");
            var buffer = new byte[64 * 1024];
            Task<(long, long)> Ttfb(Target t, string id) => t.Tls || t.Websocket
                ? LoadClient.ReadAllAsync(t, id, buffer, CancellationToken.None)
                : Task.Run(() => LoadClient.ReadAllBlocking(t, id, buffer));
            var warmTargets = new List<Target>
            {
                new("gw-2hop", "gateway 2 hops plaintext", topo.GA, warmB),
                new("gw-2hop-tls", "gateway 2 hops TLS (new TLS handshake A -> C per request)", topo.GA, warmC),
                new("gw-1hop", "gateway 1 hop", topo.GB, warmB),
                new("executor", "executor direct", topo.EB, warmB),
                new("socat-2hop", "socat 2 hops", topo.Socat2, warmF),
            };
            if (topo.HasFakeStreamer)
            {
                warmTargets.Add(new Target("direct-ref", "reference streamer direct", topo.Fake, warmF));
            }

            var gw2 = new Target("gw-2hop", "gateway 2 hops", topo.GA, warmB);
            var coldMs = new List<double>();
            foreach (var id in cold)
            {
                var (n, ticks) = await Ttfb(gw2, id);
                if (n != small.Length)
                {
                    throw new InvalidOperationException($"cold TTFB stream of {id}: {n} bytes");
                }

                coldMs.Add(Stats.Ms(ticks));
            }

            // Warm-up, not counted: enough requests for the runtime's tiered JIT to have compiled the hot paths of every
            // process (instrumented tier, then tier 1, compiled in the background), as in a gateway that has been up a while.
            for (var i = 0; i < 300; i++)
            {
                foreach (var t in warmTargets)
                {
                    await Ttfb(t, t.Uuid);
                }
            }

            var warm = warmTargets.ToDictionary(t => t.Key, _ => new List<double>());

            // Plaintext targets interleaved, then TLS on its own: a TLS handshake's CPU (both ends on these 2 cores)
            // would otherwise land on whichever plaintext sample follows it.
            foreach (var group in warmTargets.GroupBy(t => t.Tls))
            {
                for (var i = 0; i < options.WarmRequests; i++)
                {
                    foreach (var t in group)
                    {
                        var (n, ticks) = await Ttfb(t, t.Uuid);
                        if (n != small.Length)
                        {
                            throw new InvalidOperationException($"warm TTFB stream via {t.Key}: {n} bytes");
                        }

                        warm[t.Key].Add(Stats.Ms(ticks));
                    }
                }
            }

            const string Section = "time to first byte (connect + request + resolution + first byte; blocking client), ms";
            _rows.Add(new Row(Section, "cold: gateway 2 hops, a new build each request", $"p50 {F(Stats.Median(coldMs), "0.000")} / p99 {F(Stats.Percentile(coldMs, 99), "0.000")}", "", "", null));
            _json["ttfb_cold_gw-2hop_p50_ms"] = Math.Round(Stats.Median(coldMs), 3);
            _json["ttfb_cold_gw-2hop_p99_ms"] = Math.Round(Stats.Percentile(coldMs, 99), 3);
            var socat = Stats.Median(warm["socat-2hop"]);
            foreach (var t in warmTargets)
            {
                var p50 = Stats.Median(warm[t.Key]);
                var p99 = Stats.Percentile(warm[t.Key], 99);
                _json[$"ttfb_warm_{t.Key}_p50_ms"] = Math.Round(p50, 3);
                _json[$"ttfb_warm_{t.Key}_p99_ms"] = Math.Round(p99, 3);
                var isTarget = t.Key == "gw-2hop";
                _rows.Add(new Row(Section, "warm: " + t.Label, $"p50 {F(p50, "0.000")} / p99 {F(p99, "0.000")}",
                    isTarget ? $"socat 2 hops p50 {F(socat, "0.000")} ({F(p50 / socat)} x)" : string.Empty,
                    isTarget ? "p50 <= socat 2 hops" : string.Empty, isTarget ? p50 <= socat : null));
            }
        }

        private async Task FollowAsync(Topology topo)
        {
            var start = Encoding.ASCII.GetBytes("build started\n");
            var liveB = topo.CreateBuild(topo.JobRootB, start, finished: false);
            var liveC = topo.CreateBuild(topo.JobRootC, start, finished: false);
            var liveF = topo.HasFakeStreamer ? topo.CreateBuild(topo.FakeRoot, start, finished: false) : liveB;
            await topo.WaitForBuildsAsync([liveB.Id, liveC.Id]);
            var followers = new List<(Target, string)>
            {
                (new Target("executor", "executor direct", topo.EB, liveB.Id), liveB.Log),
                (new Target("gw-1hop", "gateway 1 hop", topo.GB, liveB.Id), liveB.Log),
                (new Target("gw-2hop", "gateway 2 hops plaintext", topo.GA, liveB.Id), liveB.Log),
                (new Target("gw-2hop-tls", "gateway 2 hops TLS", topo.GA, liveC.Id), liveC.Log),
                (new Target("websocket", "websocket via web frontend (2 hops)", topo.Web, liveB.Id, Websocket: true), liveB.Log),
                (new Target("socat-2hop", "socat 2 hops", topo.Socat2, liveF.Id), liveF.Log),
            };
            if (topo.HasFakeStreamer)
            {
                followers.Add((new Target("direct-ref", "reference streamer direct (inotify)", topo.Fake, liveF.Id), liveF.Log));
            }

            Say($"follow latency: {options.FollowLines} lines every 10 ms to {followers.Count} followers");
            var results = await FollowLatency.RunAsync(followers, options.FollowLines, TimeSpan.FromMilliseconds(10));
            foreach (var log in new[] { liveB.Log, liveC.Log, liveF.Log }.Distinct())
            {
                await File.WriteAllTextAsync(log + ".done", "SUCCESS\n");
            }

            const string Section = "follow latency (append -> client), ms";
            foreach (var ((t, _), r) in followers.Zip(results))
            {
                var p50 = Stats.Median(r.DelaysMs);
                var p99 = Stats.Percentile(r.DelaysMs, 99);
                var max = Stats.Max(r.DelaysMs);
                _json[$"follow_{t.Key}_p50_ms"] = Math.Round(p50, 3);
                _json[$"follow_{t.Key}_p99_ms"] = Math.Round(p99, 3);
                _json[$"follow_{t.Key}_max_ms"] = Math.Round(max, 3);
                _json[$"follow_{t.Key}_lost"] = r.Lost;
                var isTarget = t.Key is "gw-2hop" or "websocket" or "gw-2hop-tls";
                _rows.Add(new Row(Section, t.Label, $"p50 {F(p50, "0.000")} / p99 {F(p99, "0.000")} / max {F(max, "0.0")}",
                    $"lost {r.Lost}/{r.Expected}", isTarget ? "p50 < 2, p99 < 10" : string.Empty,
                    isTarget ? p50 < 2 && p99 < 10 && r.Lost == 0 : null));
            }
        }

        private async Task ResolveAsync(Topology topo)
        {
            var ids = Enumerable.Range(0, 64).Select(_ => topo.CreateBuild(topo.JobRootB, [], finished: true).Id).ToList();
            await topo.WaitForBuildsAsync(ids);
            Say($"resolutions: ResolveStreamAddressAsync(\"zoneA\") on zone-B builds, 64 in flight, {options.ResolveSeconds} s");
            var grains = ids.Select(id => topo.Client.GetGrain<IBuildGrain>(id)).ToArray();
            long count = 0;
            long failures = 0;
            var measuring = false;
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 64).Select(async w =>
            {
                var g = grains[w % grains.Length];
                while (!stop.IsCancellationRequested)
                {
                    var r = await g.ResolveStreamAddressAsync("zoneA");
                    if (Volatile.Read(ref measuring))
                    {
                        Interlocked.Increment(ref count);
                        if (r.Kind != StreamResolutionKind.Gateway)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    }
                }
            }).ToList();
            await Task.Delay(1000); // warm-up
            Volatile.Write(ref measuring, true);
            var sw = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(options.ResolveSeconds));
            Volatile.Write(ref measuring, false);
            var rate = Interlocked.Read(ref count) / sw.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            _json["resolutions_per_s"] = Math.Round(rate, 0);
            _rows.Add(new Row("grain", "ResolveStreamAddressAsync, 64 in flight (Orleans client in the benchmark, cross-zone: includes the zone's gateway pick)",
                $"{F(rate, "0")} /s", failures == 0 ? "all answered Gateway" : $"{failures} unexpected answers", "", null));
            if (ZooKeeperProcess.Available)
            {
                var (zoned, unexpected) = await ZoneResolution.RunAsync(topo, options.ResolveSeconds, Say);
                _json["resolutions_autonomous_zones_per_s"] = Math.Round(zoned, 0);
                _rows.Add(new Row("grain", "ResolveStreamAddressAsync across autonomous zones (ZooKeeper; zone A's cluster answers for zone B's builds), 64 in flight",
                    $"{F(zoned, "0")} /s", $"{F(zoned / rate, "0.00")} x one cluster above; " + (unexpected == 0 ? "all answered Gateway" : $"{unexpected} unexpected answers"), "", null));
            }
        }

        private async Task ConcurrencyAsync(Topology topo, bool tls)
        {
            Say($"concurrency: {_streams} idle following streams through one fresh {(tls ? "TLS" : "plaintext")} gateway");
            var r = await Concurrency.RunAsync(topo, tls, _streams, Say);
            var key = tls ? "tls" : "plain";
            var limit = tls ? 48 : 16;
            var nginx = tls ? 44.8 : 9.6;
            _json[$"conc_{key}_streams"] = r.Streams;
            _json[$"conc_{key}_following"] = r.Synced;
            _json[$"conc_{key}_probe_received"] = r.GotProbe;
            _json[$"conc_{key}_kib_per_stream"] = Math.Round(r.KiBPerStream, 2);
            _json[$"conc_{key}_rss_before_mib"] = Math.Round(r.RssBeforeBytes / 1048576.0, 1);
            _json[$"conc_{key}_rss_after_mib"] = Math.Round(r.RssAfterBytes / 1048576.0, 1);
            _json[$"conc_{key}_open_s"] = Math.Round(r.OpenSeconds, 2);
            _json[$"conc_{key}_fanout_p50_ms"] = Math.Round(Stats.Median(r.FanoutMs), 1);
            _json[$"conc_{key}_fanout_p99_ms"] = Math.Round(Stats.Percentile(r.FanoutMs, 99), 1);
            _json[$"conc_{key}_errors"] = r.Errors;
            var section = $"idle streams through one gateway ({(tls ? "TLS, client certificates" : "plaintext")})";
            _rows.Add(new Row(section, $"{r.Streams} streams: gateway RSS per stream",
                $"{F(r.KiBPerStream, "0.0")} KiB", $"RSS {F(r.RssBeforeBytes / 1048576.0, "0")} -> {F(r.RssAfterBytes / 1048576.0, "0")} MiB; nginx (anchors) {nginx} KiB{(_streamsNote is null ? string.Empty : "; " + _streamsNote)}",
                $"< {limit} KiB", r.KiBPerStream < limit && r.Synced == r.Streams));
            _rows.Add(new Row(section, "appended line reaches every stream",
                $"{r.GotProbe}/{r.Streams}", $"fan-out p50 {F(Stats.Median(r.FanoutMs), "0.0")} / p99 {F(Stats.Percentile(r.FanoutMs, 99), "0.0")} ms; open {F(r.OpenSeconds, "0.0")} s; errors {r.Errors}{(r.FirstError is null ? string.Empty : " (" + r.FirstError + ")")}",
                "all", r.GotProbe == r.Streams));
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
}
