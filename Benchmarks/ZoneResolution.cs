using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>
/// Resolutions across autonomous zones: two silos on a local Debian ZooKeeper, zone A and zone B, each its own Orleans
/// cluster. A client of zone B registers 64 builds; a client of zone A asks <c>ResolveStreamAddressAsync("zoneA")</c> on
/// them with 64 in flight. Zone A's activations read the records from ZooKeeper once and then answer from memory
/// (kept fresh by watches), plus the pick of zone B's gateway from the watched registry.
/// </summary>
internal static class ZoneResolution
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<(double Rate, long Unexpected)> RunAsync(Topology topo, double seconds, Action<string> say)
    {
        await using var zk = await ZooKeeperProcess.StartAsync(Path.Combine(topo.WorkDir, "zones-zk"));
        var cluster = "zr-" + Guid.NewGuid().ToString("N")[..6];
        string[] common = ["--Cluster:Id", cluster, "--ZooKeeper:ConnectionString", zk.ConnectionString + "/" + cluster];
        var silo = Path.Combine(topo.RepoRoot, "Silo", "bin", "Release", "net10.0", "Orleans.Zuul.Silo.dll");
        var silos = new List<Child>();
        var clients = new List<IHost>();
        try
        {
            foreach (var zone in new[] { "zoneA", "zoneB" })
            {
                var gateway = Net.FreePort();
                silos.Add(topo.Start($"zones-silo-{zone}", "dotnet",
                [
                    silo, .. common, "--Zone", zone, "--Orleans:AdvertisedAddress", "127.0.0.1",
                    "--Orleans:SiloPort", Net.FreePort().ToString(Inv), "--Orleans:GatewayPort", gateway.ToString(Inv),
                    "--FingerGateway:ListenAddress", "127.0.0.1", "--FingerGateway:Port", Net.FreePort().ToString(Inv),
                    "--FingerGateway:Hostname", "127.0.0.1",
                ]));
                await Net.WaitForPortAsync(gateway, TimeSpan.FromSeconds(60), $"the {zone} silo", () => silos[^1].Alive);
            }

            var zoneB = await ConnectAsync([.. common, "--Zone", "zoneB"], clients);
            var zoneA = await ConnectAsync([.. common, "--Zone", "zoneA"], clients);
            var ids = Enumerable.Range(0, 64).Select(_ => Guid.NewGuid().ToString("N")).ToList();
            foreach (var id in ids)
            {
                await zoneB.GetGrain<IBuildGrain>(id).StartAsync(new BuildStart("zoneB", "127.0.0.1", 7900, "bench", DateTimeOffset.UtcNow));
            }

            var grains = ids.Select(id => zoneA.GetGrain<IBuildGrain>(id)).ToArray();
            var ready = Stopwatch.StartNew();
            while ((await Task.WhenAll(grains.Select(g => g.ResolveStreamAddressAsync("zoneA")))).Any(r => r.Kind != StreamResolutionKind.Gateway))
            {
                if (ready.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException("zone A did not resolve zone B's builds to zone B's gateway within 60 s");
                }

                await Task.Delay(100);
            }

            say($"resolutions across autonomous zones (ZooKeeper, two clusters): 64 in flight, {seconds} s");
            long count = 0;
            long unexpected = 0;
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
                            Interlocked.Increment(ref unexpected);
                        }
                    }
                }
            }).ToList();
            await Task.Delay(1000); // warm-up
            Volatile.Write(ref measuring, true);
            var sw = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            Volatile.Write(ref measuring, false);
            var rate = Interlocked.Read(ref count) / sw.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            return (rate, Interlocked.Read(ref unexpected));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.StopAsync();
                client.Dispose();
            }

            foreach (var child in silos)
            {
                await child.StopAsync(TimeSpan.FromSeconds(10));
            }
        }
    }

    private static async Task<IClusterClient> ConnectAsync(string[] args, List<IHost> clients)
    {
        for (var attempt = 1; ; attempt++)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
            builder.Logging.ClearProviders();
            builder.AddZuulClusterClient();
            var host = builder.Build();
            try
            {
                await host.StartAsync();
                clients.Add(host);
                return host.Services.GetRequiredService<IClusterClient>();
            }
            catch (Exception) when (attempt < 20)
            {
                host.Dispose();
                await Task.Delay(500);
            }
        }
    }
}
