namespace Zuul.LiveLog.Benchmarks;

/// <summary>The log page in Chromium: a finished 1,000,000-line log and a log growing at 5,000 lines a second.</summary>
internal sealed partial class Bench
{
    private async Task LogPageAsync(Topology topo)
    {
        if (!LogPage.Available)
        {
            Say($"Chromium not found at {LogPage.ChromiumPath} (set CHROMIUM_PATH; scripts/bench.sh installs Debian's): log page skipped");
            return;
        }

        const string Section = "log page in Chromium (web -> gateway B -> executor; headless, 1280x800)";
        Say($"log page: a finished {options.PageLines}-line log, then a log growing at 5,000 lines/s");
        var f = await LogPage.FinishedAsync(topo, options.PageLines, Say);
        var memory = f.HeapMb + f.ArrayBuffersMb;
        _json["page_finished_lines"] = f.Lines;
        _json["page_finished_last_line_ms"] = Math.Round(f.LastLineVisibleMs);
        _json["page_finished_heap_mb"] = Math.Round(f.HeapMb, 1);
        _json["page_finished_arraybuffers_mb"] = Math.Round(f.ArrayBuffersMb, 1);
        _json["page_finished_dom_nodes"] = f.DomNodes;
        _json["page_scroll_long_frames"] = f.Scrolling.LongFrames;
        _json["page_scroll_longest_frame_ms"] = Math.Round(f.Scrolling.LongestFrameMs, 1);
        _json["page_scroll_max_interval_ms"] = Math.Round(f.Scrolling.MaxIntervalMs, 1);
        _rows.Add(new Row(Section, $"finished log, {f.Lines:N0} lines ({f.Bytes / 1e6:0} MB): last line visible", $"{F(f.LastLineVisibleMs / 1000, "0.00")} s",
            "from navigation; the log comes over HTTP (GET /api/tenant/{t}/build/{uuid}/log), the tail over the websocket", "< 3 s", f.LastLineVisibleMs < 3000));
        _rows.Add(new Row(Section, "finished log: JS memory after loading (after a full GC)", $"{F(memory, "0")} MB",
            $"JS heap {F(f.HeapMb, "0.0")} MB + ArrayBuffers {F(f.ArrayBuffersMb, "0.0")} MB (the log's bytes and line index); {f.DomNodes} DOM elements", "< 200 MB", memory < 200));
        _rows.Add(new Row(Section, "scrolling it: 160 wheel steps, 60 jumps anywhere, 40 page keys", $"{f.Scrolling.LongFrames} long frames",
            $"longest {F(f.Scrolling.LongestFrameMs, "0")} ms (long-animation-frame records over 50 ms); {f.Scrolling.Frames} frames, interval p99 {F(f.Scrolling.P99IntervalMs, "0")} / max {F(f.Scrolling.MaxIntervalMs, "0")} ms",
            "no frame > 50 ms", f.Scrolling.LongFrames == 0));

        var g = await LogPage.GrowingAsync(topo, 5000, options.GrowSeconds, Say);
        _json["page_growing_lag_p50_ms"] = Math.Round(g.LagP50Ms, 1);
        _json["page_growing_lag_max_ms"] = Math.Round(g.LagMaxMs, 1);
        _json["page_growing_last_line_ms"] = Math.Round(g.LastLineVisibleMs);
        _json["page_growing_long_frames"] = g.Frames.LongFrames;
        _json["page_growing_heap_mb"] = Math.Round(g.HeapMb + g.ArrayBuffersMb, 1);
        _rows.Add(new Row(Section, $"log growing at {g.LinesPerSecond:N0} lines/s for {g.Seconds:0} s ({g.Lines:N0} lines), followed",
            $"behind p50 {F(g.LagP50Ms, "0")} / max {F(g.LagMaxMs, "0")} ms",
            $"last line visible {F(g.LastLineVisibleMs, "0")} ms after the last write; {g.Frames.LongFrames} long frames (longest {F(g.Frames.LongestFrameMs, "0")} ms), frame interval p99 {F(g.Frames.P99IntervalMs, "0")} ms; JS memory {F(g.HeapMb + g.ArrayBuffersMb, "0")} MB; {g.DomNodes} DOM elements",
            "", null));
    }
}
