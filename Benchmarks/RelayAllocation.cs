using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Benchmarks;

internal sealed record AllocationResult(long Bytes, double Seconds, long AllocatedBytes, int Gen0Collections)
{
    /// <summary>When something was allocated: the types seen by the runtime's allocation sampling (a second, traced pass).</summary>
    public string? TopTypes { get; init; }

    /// <summary>The most any of the runs allocated.</summary>
    public long MaxAllocatedBytes { get; init; }

    /// <summary>(allocated(full run) - allocated(1/8 run)) / (chunks difference): the per-chunk cost without set-up.</summary>
    public double SteadyBytesPerChunk { get; init; }

    /// <summary>What one relayed connection costs once (sockets, pipes, tasks), from the same two runs.</summary>
    public double PerConnectionBytes { get; init; }

    public long Chunks => Bytes / FingerRelay.ReadSize;

    public double BytesPerChunk => (double)AllocatedBytes / Chunks;

    public double MBps => Bytes / Seconds / 1e6;
}

/// <summary>
/// Allocation on the steady-state relay path, in this process: <see cref="FingerRelay.RunAsync"/> between two
/// loopback socket pairs (upstream = a NetworkStream as in the gateway; client = a pipe pair pumped to a socket,
/// like Kestrel's transport). <see cref="GC.GetTotalAllocatedBytes(bool)"/> counts the whole process, harness included.
/// Bytes are counted as the gateway counts them (<see cref="RelayMetering"/>: a stream meter, the OpenTelemetry SDK
/// aggregating), so the per-chunk cost includes the metrics.
/// </summary>
internal static class RelayAllocation
{
    private static readonly byte[] Chunk = GC.AllocateArray<byte>(FingerRelay.ReadSize, pinned: true);
    private static readonly byte[] Sink = GC.AllocateArray<byte>(1 << 20, pinned: true);

    /// <summary>
    /// Relays <paramref name="bytes"/> once and an eighth of it once; the difference of the two allocation counts over the
    /// difference of chunks is the steady-state cost per chunk (per-connection set-up cancels out).
    /// </summary>
    public static async Task<AllocationResult> RunAsync(long bytes, bool splice)
    {
        Array.Fill(Chunk, (byte)'x');
        using var metering = new RelayMetering();
        await RelayOnceAsync(256L << 20, splice, metering); // JIT, pools and socket engine warm
        var small = bytes / 8;
        var (_, _, allocatedSmall) = await MeasureAsync(small, splice, metering);
        var gen0 = GC.CollectionCount(0);
        // Three runs, the least allocating one counts: an allocation per chunk shows in every run, while the runtime's
        // own background work (thread injection on a busy machine, timers) lands in some runs only.
        var runs = new List<(long Relayed, double Seconds, long Allocated)>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await MeasureAsync(bytes, splice, metering));
        }

        var expected = (256L << 20) + small + (3 * bytes);
        if (metering.CollectedBytes() != expected)
        {
            throw new InvalidOperationException($"the metrics counted {metering.CollectedBytes()} relayed bytes, {expected} were relayed");
        }

        var (relayed, seconds, allocated) = runs.MinBy(r => r.Allocated);
        var maxAllocated = runs.Max(r => r.Allocated);
        var perChunk = (double)(allocated - allocatedSmall) / ((bytes - small) / FingerRelay.ReadSize);
        var result = new AllocationResult(relayed, seconds, allocated, GC.CollectionCount(0) - gen0) { MaxAllocatedBytes = maxAllocated, SteadyBytesPerChunk = perChunk, PerConnectionBytes = allocatedSmall - (perChunk * (small / FingerRelay.ReadSize)) };
        if ((double)allocated / (relayed / FingerRelay.ReadSize) >= 1)
        {
            // Diagnose in a second pass (the listener allocates itself, so it never runs during the measurement).
            using var listener = new AllocationSampler();
            await RelayOnceAsync(bytes, splice, metering);
            result = result with { TopTypes = listener.Top(5) };
        }

        return result;
    }

    /// <summary>The runtime's GCAllocationTick events (one per ~100 KB allocated), counted by type.</summary>
    private sealed class AllocationSampler : EventListener
    {
        private readonly ConcurrentDictionary<string, long> _types = new();

        public string Top(int n) => string.Join(", ", _types.OrderByDescending(kv => kv.Value).Take(n).Select(kv => $"{kv.Key} ~{kv.Value / 1024} KiB"));

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.PayloadNames is null || e.Payload is null)
            {
                return;
            }

            var type = e.Payload[e.PayloadNames.IndexOf("TypeName")]?.ToString() ?? "?";
            var amountIndex = e.PayloadNames.IndexOf("AllocationAmount64");
            var amount = amountIndex >= 0 ? Convert.ToInt64(e.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
            _types.AddOrUpdate(type, amount, (_, v) => v + amount);
        }
    }

    private static async Task<(long Relayed, double Seconds, long Allocated)> MeasureAsync(long bytes, bool splice, RelayMetering metering)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        var relayed = await RelayOnceAsync(bytes, splice, metering);
        var seconds = sw.Elapsed.TotalSeconds;
        return (relayed, seconds, GC.GetTotalAllocatedBytes(true) - before);
    }

    private static async Task<long> RelayOnceAsync(long bytes, bool splice, RelayMetering metering)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var (producer, upstreamSide) = await PairAsync(listener, endpoint);
        var (clientSide, consumer) = await PairAsync(listener, endpoint);
        using (producer)
        using (upstreamSide)
        using (clientSide)
        using (consumer)
        {
            var toClient = new Pipe(new PipeOptions(useSynchronizationContext: false));
            var fromClient = new Pipe(new PipeOptions(useSynchronizationContext: false));
            var duplex = new DuplexPipe(fromClient.Reader, toClient.Writer);

            var produce = ProduceAsync(producer, bytes);
            var pump = PumpAsync(toClient.Reader, clientSide);
            var consume = ConsumeAsync(consumer);
            await using var upstream = new NetworkStream(upstreamSide, ownsSocket: false);
            // With splice the client's socket is handed over as the gateway does on a plaintext listener (the pipe stays unused).
            var meter = metering.Start();
            var result = await FingerRelay.RunAsync(duplex, upstream, splice ? clientSide : null, meter, CancellationToken.None);
            meter.End(StreamMeter.From(result.Outcome));
            await toClient.Writer.CompleteAsync();
            await fromClient.Writer.CompleteAsync();
            await produce;
            await pump;
            var received = await consume;
            if (result.Outcome != RelayOutcome.UpstreamCompleted || received != bytes || result.BytesToClient != bytes)
            {
                throw new InvalidOperationException($"relay moved {result.BytesToClient} of {bytes} bytes ({result.Outcome}); client got {received}");
            }

            return received;
        }
    }

    private static async Task<(Socket Connected, Socket Accepted)> PairAsync(Socket listener, IPEndPoint endpoint)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(endpoint);
        var accepted = await accept;
        accepted.NoDelay = true;
        return (client, accepted);
    }

    private static async Task ProduceAsync(Socket socket, long bytes)
    {
        var chunk = Chunk;
        long sent = 0;
        while (sent < bytes)
        {
            var n = (int)Math.Min(chunk.Length, bytes - sent);
            sent += await socket.SendAsync(chunk.AsMemory(0, n), SocketFlags.None);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>What Kestrel's socket transport does with a connection's output pipe.</summary>
    private static async Task PumpAsync(PipeReader reader, Socket socket)
    {
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                var offset = 0;
                while (offset < segment.Length)
                {
                    offset += await socket.SendAsync(segment[offset..], SocketFlags.None);
                }
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync();
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<long> ConsumeAsync(Socket socket)
    {
        var buffer = Sink;
        long total = 0;
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
            if (n == 0)
            {
                return total;
            }

            total += n;
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
