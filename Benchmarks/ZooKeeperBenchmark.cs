using System.Diagnostics;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>
/// Pipelined getData / setData against a live server: throughput and p50/p99 latency with 1 and 64 operations in flight.
/// Call <see cref="RunAsync"/> with a connection string; it works in its own chroot and removes it afterwards.
/// </summary>
public static class ZooKeeperBenchmark
{
    public static async Task<IReadOnlyList<Result>> RunAsync(string connectionString, TimeSpan? duration = null, TextWriter? output = null)
    {
        var runFor = duration ?? TimeSpan.FromSeconds(5);
        output ??= Console.Out;
        var chroot = "/bench-" + Guid.NewGuid().ToString("N")[..8];
        var host = connectionString.Split('/')[0];
        await using (var root = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = host }))
        {
            await root.CreateAsync(chroot);
        }

        var results = new List<Result>();
        try
        {
            await using var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = host + chroot });
            var payload = new byte[100];
            await client.CreateAsync("/node", payload);
            var operations = new (string Name, Func<Task> Run)[]
            {
                ("getData", () => client.GetDataAsync("/node")),
                ("setData", () => client.SetDataAsync("/node", payload)),
            };

            await output.WriteLineAsync($"ZooKeeper benchmark against {host}, {runFor.TotalSeconds:F0} s per case, 100-byte node");
            await output.WriteLineAsync($"{"operation",-10} {"in flight",9} {"ops/s",10} {"p50 ms",8} {"p99 ms",8}");
            foreach (var (name, run) in operations)
            {
                foreach (var inFlight in new[] { 1, 64 })
                {
                    await MeasureAsync(run, inFlight, TimeSpan.FromSeconds(1)); // warm-up: JIT, server caches
                    var result = await MeasureAsync(run, inFlight, runFor) with { Operation = name };
                    results.Add(result);
                    await output.WriteLineAsync($"{name,-10} {inFlight,9} {result.OpsPerSecond,10:F0} {result.P50.TotalMilliseconds,8:F3} {result.P99.TotalMilliseconds,8:F3}");
                }
            }
        }
        finally
        {
            await using var root = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = host });
            await root.DeleteRecursiveAsync(chroot);
        }

        return results;
    }

    /// <summary><paramref name="inFlight"/> workers, each issuing its next operation as soon as the previous completes.</summary>
    private static async Task<Result> MeasureAsync(Func<Task> operation, int inFlight, TimeSpan duration)
    {
        var latencies = new List<long>[inFlight];
        var total = Stopwatch.StartNew();
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async worker =>
        {
            var mine = latencies[worker] = new List<long>(capacity: 100_000);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var start = Stopwatch.GetTimestamp();
                await operation().ConfigureAwait(false);
                mine.Add(Stopwatch.GetTimestamp() - start);
            }
        }));
        total.Stop();

        var all = latencies.SelectMany(l => l).Order().ToArray();
        TimeSpan Percentile(double p) => all.Length == 0
            ? TimeSpan.Zero
            : TimeSpan.FromSeconds(all[Math.Min(all.Length - 1, (int)(p * all.Length))] / (double)Stopwatch.Frequency);
        return new Result("", inFlight, all.Length / total.Elapsed.TotalSeconds, Percentile(0.50), Percentile(0.99));
    }

    public sealed record Result(string Operation, int InFlight, double OpsPerSecond, TimeSpan P50, TimeSpan P99);
}
