using System.Globalization;
using Zuul.LiveLog.Benchmarks;

// The Orleans.Zuul benchmark (issue 8). Starts the real processes on 127.0.0.1 next to reference relays and
// measures throughput, time to first byte, follow latency, idle-stream memory, resolutions/s, relay allocation and
// the log page in Chromium.
// Usage: scripts/bench.sh [--quick] [--log-mb N] [--streams N] [--skip a,b] [--keep]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: Orleans.Zuul.Benchmarks [--quick] [--log-mb N] [--streams N] [--skip alloc,zookeeper,throughput,fingerload,ttfb,follow,resolve,orleans-tls,page,concurrency,fanout] [--keep] [--hold SECONDS]");
    return 2;
}

return await new Bench(options).RunAsync();
