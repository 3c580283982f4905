using System.Diagnostics;
using System.Text;
using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>The cost of Orleans TLS: the same small cluster twice, plaintext and mutual TLS, measured interleaved.</summary>
internal sealed partial class Bench
{
    /// <remarks>
    /// Both clusters run at once and the samples alternate between them (one-second slices of resolutions, single
    /// TTFB requests), so load from outside this benchmark falls on both alike.
    /// </remarks>
    private async Task OrleansTlsAsync(Topology topo)
    {
        await using var plain = new OrleansTlsVariant(topo, tls: false);
        await using var secure = new OrleansTlsVariant(topo, tls: true);
        OrleansTlsVariant[] variants = [plain, secure];
        var small = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("2026-11-24 10:00:00.000000 | ubuntu-jammy | small log line for time to first byte\n", 40)));
        var builds = new Dictionary<OrleansTlsVariant, (string[] Resolve, string Warm)>();
        foreach (var v in variants)
        {
            await v.StartAsync(Say);
            var resolve = Enumerable.Range(0, 64).Select(_ => topo.CreateBuild(v.JobRoot, [], finished: true).Id).ToArray();
            var warm = topo.CreateBuild(v.JobRoot, small).Id;
            await v.WaitForBuildsAsync([.. resolve, warm]);
            builds[v] = (resolve, warm);
        }

        // Resolutions: 64 in flight per cluster, only one cluster loaded at a time, alternating each second.
        var slices = (int)Math.Ceiling(options.ResolveSeconds) * 2;
        Say($"Orleans TLS cost: ResolveStreamAddressAsync(\"zoneA\") on zone B builds, 64 in flight, {slices} one-second slices per variant, alternating");
        var counts = variants.ToDictionary(v => v, _ => (Count: 0L, Unexpected: 0L, Seconds: 0.0));
        foreach (var v in variants)
        {
            await ResolveSliceAsync(v, builds[v].Resolve, TimeSpan.FromSeconds(1)); // warm-up
        }

        for (var i = 0; i < slices; i++)
        {
            foreach (var v in variants)
            {
                var (count, unexpected, seconds) = await ResolveSliceAsync(v, builds[v].Resolve, TimeSpan.FromSeconds(1));
                var c = counts[v];
                counts[v] = (c.Count + count, c.Unexpected + unexpected, c.Seconds + seconds);
            }
        }

        // Warm time to first byte through two hops (gateway A -> gateway B -> executor), one request at a time.
        var buffer = new byte[64 * 1024];
        var targets = variants.ToDictionary(v => v, v => new Target(v.Name, v.Name, v.GatewayA, builds[v].Warm));
        Say($"Orleans TLS cost: warm time to first byte through two hops, 300 untimed rounds then {options.WarmRequests} per variant, alternating");
        var warmMs = variants.ToDictionary(v => v, _ => new List<double>());
        for (var i = 0; i < 300 + options.WarmRequests; i++)
        {
            foreach (var v in variants)
            {
                var t = targets[v];
                var (n, ticks) = await Task.Run(() => LoadClient.ReadAllBlocking(t, t.Uuid, buffer));
                if (n != small.Length)
                {
                    throw new InvalidOperationException($"warm TTFB stream via {v.Name}: {n} bytes");
                }

                if (i >= 300)
                {
                    warmMs[v].Add(Stats.Ms(ticks));
                }
            }
        }

        const string Section = "cost of Orleans TLS (one cluster: silos A, B + executor of zone B; plaintext vs mutual TLS on every Orleans link; interleaved)";
        var plainRate = counts[plain].Count / counts[plain].Seconds;
        foreach (var v in variants)
        {
            var (count, unexpected, seconds) = counts[v];
            var rate = count / seconds;
            var key = v.Tls ? "tls" : "plain";
            _json[$"orleans_{key}_resolutions_per_s"] = Math.Round(rate, 0);
            _rows.Add(new Row(Section, $"ResolveStreamAddressAsync, 64 in flight, cross-zone (silo to silo), Orleans {(v.Tls ? "mutual TLS" : "plaintext")}",
                $"{F(rate, "0")} /s", (v.Tls ? $"{F(rate / plainRate)} x plaintext; " : string.Empty) + (unexpected == 0 ? "all answered Gateway" : $"{unexpected} unexpected answers"), "", null));
        }

        var plainP50 = Stats.Median(warmMs[plain]);
        foreach (var v in variants)
        {
            var ms = warmMs[v];
            var key = v.Tls ? "tls" : "plain";
            _json[$"orleans_{key}_ttfb_2hop_p50_ms"] = Math.Round(Stats.Median(ms), 3);
            _json[$"orleans_{key}_ttfb_2hop_p99_ms"] = Math.Round(Stats.Percentile(ms, 99), 3);
            _rows.Add(new Row(Section, $"warm time to first byte, gateway 2 hops (A -> B -> executor, plaintext finger), Orleans {(v.Tls ? "mutual TLS" : "plaintext")}, ms",
                $"p50 {F(Stats.Median(ms), "0.000")} / p99 {F(Stats.Percentile(ms, 99), "0.000")}", v.Tls ? $"p50 {F(Stats.Median(ms) / plainP50)} x plaintext" : string.Empty, "", null));
        }
    }

    /// <summary>64 resolutions in flight on one cluster for <paramref name="length"/>; returns what completed in that time.</summary>
    private static async Task<(long Count, long Unexpected, double Seconds)> ResolveSliceAsync(OrleansTlsVariant v, string[] ids, TimeSpan length)
    {
        var grains = ids.Select(id => v.Client.GetGrain<IBuildGrain>(id)).ToArray();
        long count = 0;
        long unexpected = 0;
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, 64).Select(async w =>
        {
            var g = grains[w % grains.Length];
            while (sw.Elapsed < length)
            {
                var r = await g.ResolveStreamAddressAsync("zoneA");
                if (sw.Elapsed <= length)
                {
                    Interlocked.Increment(ref count);
                    if (r.Kind != StreamResolutionKind.Gateway)
                    {
                        Interlocked.Increment(ref unexpected);
                    }
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
        return (count, unexpected, length.TotalSeconds);
    }
}
