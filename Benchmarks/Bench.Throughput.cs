using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>Throughput of every path against the references, and the fingerload.py cross-check.</summary>
internal sealed partial class Bench
{
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
            var executorConnections = targets.ToDictionary(t => t.Key, _ => 0);
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
                    // Connections executor B holds at once while a gateway target runs (shared upstreams: one per hop).
                    using var sampling = new CancellationTokenSource();
                    var sampler = t.Key is "gw-1hop" or "gw-2hop" or "websocket" ? SampleMaxAsync(() => Os.EstablishedTo(topo.EB), sampling.Token) : Task.FromResult(0);
                    var run = await LoadClient.ThroughputAsync(t, clients, reads, size, timeout);
                    await sampling.CancelAsync();
                    executorConnections[t.Key] = Math.Max(executorConnections[t.Key], await sampler);
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

                if (t.Key is "gw-1hop" or "gw-2hop" or "websocket")
                {
                    _json[$"{jsonPrefix}_{t.Key}_executor_connections_max"] = executorConnections[t.Key];
                    reference += $"; executor B held at most {executorConnections[t.Key]} connection(s) at once";
                }

                if (t.Key == "gw-2hop")
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

    /// <summary>The largest value <paramref name="sample"/> gives, every 20 ms until cancelled.</summary>
    private static async Task<int> SampleMaxAsync(Func<int> sample, CancellationToken cancellationToken)
    {
        var max = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            max = Math.Max(max, sample());
            try
            {
                await Task.Delay(20, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return max;
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
}
