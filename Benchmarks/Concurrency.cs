using System.Diagnostics;
using System.Text;

namespace Zuul.LiveLog.Benchmarks;

internal sealed record ConcurrencyResult(
    bool Tls, int Streams, int Connected, int Synced, int GotProbe, long RssBeforeBytes, long RssAfterBytes,
    double OpenSeconds, List<double> FanoutMs, int Errors, string? FirstError, int ExecutorConnections, int NextHopConnections)
{
    public double KiBPerStream => Streams == 0 ? double.NaN : (RssAfterBytes - RssBeforeBytes) / 1024.0 / Streams;
}

/// <summary>
/// N idle following streams through one fresh gateway, the gateway's VmRSS before and after, then one appended line
/// that must reach every stream. One hop: a new silo of the build's zone (B, or C with TLS) in front of the executor.
/// Two hops: a new silo of zone A in front of zone B's gateway. While the streams follow, the connections accepted
/// by the executor and by the next hop are counted (with shared upstreams: one each).
/// </summary>
internal static class Concurrency
{
    public static async Task<ConcurrencyResult> RunAsync(Topology topo, bool tls, int streams, Action<string> say, bool twoHops = false)
    {
        var zone = twoHops ? "zoneA" : tls ? "zoneC" : "zoneB";
        var jobRoot = tls ? topo.JobRootC : topo.JobRootB;
        var executorPort = tls ? topo.EC : topo.EB;
        var nextHopPort = twoHops ? topo.GB : executorPort;
        var start = Encoding.ASCII.GetBytes("build started, waiting for output\n");
        var (id, log) = topo.CreateBuild(jobRoot, start, finished: false);
        await topo.WaitForBuildsAsync([id]);

        var port = Net.FreePort();
        var name = twoHops ? "silo-fresh-2hops" : tls ? "silo-fresh-tls" : "silo-fresh-plain";
        var silo = topo.StartSilo(name, zone, Net.FreePort(), Net.FreePort(), port, tls ? Topology.GwCName : "127.0.0.1", primary: false,
            tls ? topo.TlsListenerArgs() : []);
        await Net.WaitForPortAsync(port, TimeSpan.FromSeconds(60), name, () => silo.Alive);
        var target = new Target(name, name, port, id, Tls: tls) { Sni = tls ? Topology.GwCName : null };

        // Warm the path first (JIT tiers, thread pool, buffer pools): one batch of as many concurrent streams as the
        // opening below keeps in flight, opened, read and closed; the baseline is then that of a gateway that has served.
        var warmCount = tls ? 64 : 200;
        for (var round = 0; round < 2; round++)
        {
            var warmStreams = await Task.WhenAll(Enumerable.Range(0, warmCount).Select(async _ =>
            {
                var warm = await LoadClient.OpenFingerAsync(target, id, 0, CancellationToken.None);
                await warm.ReadExactlyAsync(new byte[start.Length]);
                return warm;
            }));
            foreach (var warm in warmStreams)
            {
                await warm.DisposeAsync();
            }
        }

        // Past the shared upstreams' lingers (5 s at this gateway, then 5 s at the next hop), so the baseline holds none.
        await Task.Delay(twoHops ? 12_000 : 6_000);
        var before = Os.RssBytes(silo.Pid);
        var executorBefore = Os.EstablishedTo(executorPort);
        var nextHopBefore = Os.EstablishedTo(nextHopPort);
        say($"  {name}: pid {silo.Pid}, RSS {before / 1048576.0:0.0} MiB before; opening {streams} streams");

        var probe = Encoding.ASCII.GetBytes("probe line appended once\n");
        var connected = 0;
        var synced = 0; // settled: following, or failed before
        var following = 0;
        var errors = 0;
        string? firstError = null;
        var fanout = new List<double>();
        long probeAt = 0;
        var allSynced = new TaskCompletionSource();
        var gate = new SemaphoreSlim(tls ? 64 : 200);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var open = Stopwatch.StartNew();
        var clientStreams = new Stream?[streams];
        var tasks = Enumerable.Range(0, streams).Select(async i =>
        {
            var buffer = new byte[64];
            var got = 0;
            var released = false;
            var countedSync = false;
            await gate.WaitAsync(cts.Token);
            try
            {
                var s = await LoadClient.OpenFingerAsync(target, id, 0, cts.Token);
                clientStreams[i] = s;
                Interlocked.Increment(ref connected);
                while (got < start.Length)
                {
                    var n = await s.ReadAsync(buffer, cts.Token);
                    if (n == 0)
                    {
                        throw new IOException("stream ended before its first line");
                    }

                    got += n;
                }

                gate.Release();
                released = true;
                countedSync = true;
                Interlocked.Increment(ref following);
                if (Interlocked.Increment(ref synced) == streams)
                {
                    allSynced.TrySetResult();
                }

                while (got < start.Length + probe.Length)
                {
                    var n = await s.ReadAsync(buffer, cts.Token);
                    if (n == 0)
                    {
                        throw new IOException("stream ended before the probe line");
                    }

                    got += n;
                }

                var ms = Stats.Ms(Stopwatch.GetTimestamp() - Interlocked.Read(ref probeAt));
                lock (fanout)
                {
                    fanout.Add(ms);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cts.IsCancellationRequested)
            {
                Interlocked.Increment(ref errors);
                Interlocked.CompareExchange(ref firstError, e.GetType().Name + ": " + e.Message, null);
                if (!countedSync && Interlocked.Increment(ref synced) == streams)
                {
                    allSynced.TrySetResult();
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                if (!released)
                {
                    gate.Release();
                }
            }
        }).ToList();

        await Task.WhenAny(allSynced.Task, Task.Delay(TimeSpan.FromMinutes(3)));
        var openSeconds = open.Elapsed.TotalSeconds;
        var syncedOk = Volatile.Read(ref following);
        await Task.Delay(2000); // let the gateway settle
        var after = Os.RssBytes(silo.Pid);
        var executorConnections = Os.EstablishedTo(executorPort) - executorBefore;
        var nextHopConnections = Os.EstablishedTo(nextHopPort) - nextHopBefore;
        say($"  {name}: {syncedOk}/{streams} following after {openSeconds:0.0} s, RSS {after / 1048576.0:0.0} MiB, {executorConnections} new connection(s) at the executor, {nextHopConnections} at the next hop; appending the probe line");

        Interlocked.Exchange(ref probeAt, Stopwatch.GetTimestamp());
        await File.AppendAllTextAsync(log, Encoding.ASCII.GetString(probe));
        var all = Task.WhenAll(tasks);
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30)));
        int gotProbe;
        lock (fanout)
        {
            gotProbe = fanout.Count;
        }

        await File.WriteAllTextAsync(log + ".done", "SUCCESS\n");
        await cts.CancelAsync();
        foreach (var s in clientStreams)
        {
            if (s is not null)
            {
                await s.DisposeAsync();
            }
        }

        try
        {
            await all;
        }
        catch (Exception)
        {
        }

        // The fresh gateway has served its purpose; stop it now (it deregisters from its zone on the way out).
        await silo.StopAsync(TimeSpan.FromSeconds(15));
        List<double> fan;
        lock (fanout)
        {
            fan = [.. fanout];
        }

        return new ConcurrencyResult(tls, streams, connected, syncedOk, gotProbe, before, after, openSeconds, fan, errors, firstError, executorConnections, nextHopConnections);
    }
}
