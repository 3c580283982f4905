namespace Zuul.LiveLog.Benchmarks;

/// <summary>Issue 17: N followers of one build through two hops share one upstream per hop.</summary>
internal sealed partial class Bench
{
    /// <summary>The issue 17 rows: N followers of one build through two hops share one upstream per hop.</summary>
    private async Task FanoutAsync(Topology topo)
    {
        Say($"fan-out: {_streams} followers of one build through two hops (a fresh gateway of zone A -> gateway B -> executor B)");
        var r = await Concurrency.RunAsync(topo, tls: false, _streams, Say, twoHops: true);
        _json["fanout_followers"] = r.Streams;
        _json["fanout_following"] = r.Synced;
        _json["fanout_executor_connections"] = r.ExecutorConnections;
        _json["fanout_gateway_b_connections"] = r.NextHopConnections;
        _json["fanout_kib_per_follower"] = Math.Round(r.KiBPerStream, 2);
        _json["fanout_probe_received"] = r.GotProbe;
        _json["fanout_p50_ms"] = Math.Round(Stats.Median(r.FanoutMs), 1);
        _json["fanout_p99_ms"] = Math.Round(Stats.Percentile(r.FanoutMs, 99), 1);
        _json["fanout_errors"] = r.Errors;
        var section = $"{r.Streams} followers of one build through two hops (fresh gateway A -> gateway B -> executor B, plaintext)";
        _rows.Add(new Row(section, "upstream connections while they follow: at the executor / at gateway B",
            $"{r.ExecutorConnections} / {r.NextHopConnections}", $"{r.Synced}/{r.Streams} following; before shared upstreams: one per follower at each{(_streamsNote is null ? string.Empty : "; " + _streamsNote)}",
            "<= 1 per gateway", r.ExecutorConnections <= 1 && r.NextHopConnections <= 1 && r.Synced == r.Streams));
        _rows.Add(new Row(section, "gateway A memory per follower (VmRSS)",
            $"{F(r.KiBPerStream, "0.0")} KiB", $"RSS {F(r.RssBeforeBytes / 1048576.0, "0")} -> {F(r.RssAfterBytes / 1048576.0, "0")} MiB; before: 10.8 KiB (one hop, an upstream per stream)",
            "<= 10.8 KiB", r.KiBPerStream <= 10.8 && r.Synced == r.Streams));
        _rows.Add(new Row(section, "appended line reaches every follower: fan-out p50 / p99",
            $"{F(Stats.Median(r.FanoutMs), "0.0")} / {F(Stats.Percentile(r.FanoutMs, 99), "0.0")} ms",
            $"{r.GotProbe}/{r.Streams} got it; open {F(r.OpenSeconds, "0.0")} s; errors {r.Errors}{(r.FirstError is null ? string.Empty : " (" + r.FirstError + ")")}; before: p50 275 / p99 520 ms (9,750 through one gateway, issue 17)",
            "p99 < 100 ms, all", Stats.Percentile(r.FanoutMs, 99) < 100 && r.GotProbe == r.Streams));
    }
}
