using System.Text;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>Time to first byte (cold and warm) and follow latency.</summary>
internal sealed partial class Bench
{
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
}
