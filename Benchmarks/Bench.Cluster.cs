using System.Diagnostics;
using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>The ZooKeeper client, grain resolutions per second and idle streams through one gateway.</summary>
internal sealed partial class Bench
{
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
}
