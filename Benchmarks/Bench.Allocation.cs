namespace Zuul.LiveLog.Benchmarks;

/// <summary>Allocation per relayed chunk on both relay paths.</summary>
internal sealed partial class Bench
{
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
}
