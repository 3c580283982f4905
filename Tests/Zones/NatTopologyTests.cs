using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Xunit.Abstractions;

namespace Zuul.LiveLog.Tests.Zones;

/// <summary>
/// Issue 12's topology: zones B and C each behind a NAT router with one inbound rule, the finger gateway port. Every
/// zone's builds register, are listed by the web frontend in zone A and stream byte-exact through the web frontend
/// and through zone A's finger gateway; nothing from outside reaches zone B or C except through that one port; every
/// zone's cluster stays stable (each silo Active, none suspected or dead) for two minutes.
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class NatTopologyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>How long the clusters are watched for stability, counted from when every zone was up.</summary>
    private static readonly TimeSpan StableFor = TimeSpan.FromMinutes(2);

    private readonly NatLab _lab = new();

    public Task InitializeAsync() => _lab.InitializeAsync();

    public Task DisposeAsync() => _lab.DisposeAsync();

    [Fact]
    public async Task ZonesBehindNatStreamThroughTheirOnePortAndStayStable()
    {
        var up = Stopwatch.StartNew();
        var samples = new List<string>();
        using var stop = new CancellationTokenSource();
        var monitor = MonitorMembershipAsync(samples, stop.Token);

        foreach (var zone in new[] { _lab.A, _lab.B, _lab.C })
        {
            var (build, visible) = await _lab.StartBuildAsync(zone, Timeout);
            output.WriteLine($"{zone.Name}: build {build.Id} listed by the web frontend in zone A {visible.TotalMilliseconds:0} ms after its directory appeared");
            var web = WebsocketClient.StreamAsync(_lab.WebUri, $"{{\"uuid\": \"{build.Id}\"}}", Timeout);
            var finger = FingerClient.FetchAsync(_lab.GatewayAPort, build.Id + "\n", Timeout);
            for (var i = 0; i < 50; i++)
            {
                await build.AppendAsync($"{zone.Name} line {i} \u00e9\u00e8 \u001b[32mgreen\u001b[0m\n");
            }

            await build.FinishAsync();
            var expected = await File.ReadAllBytesAsync(build.LogPath);
            Assert.Equal(expected, await finger);
            var (status, reason, text) = await web;
            Assert.True(status == WebSocketCloseStatus.NormalClosure, $"websocket for {zone.Name}: {status} {reason}");
            Assert.Equal(Encoding.UTF8.GetString(expected), text);
            await Eventually.UntilAsync(async () => await _lab.ListedStateAsync(build.Id) == "finished", $"{zone.Name}'s build to be listed as finished", Timeout);
        }

        // Both NATed zones were reached, only through their gateway's forwarding rule.
        foreach (var zone in new[] { _lab.B, _lab.C })
        {
            Assert.True(await NatLab.CountAsync(zone, "gateway-in") > 0, $"{zone.Name}'s gateway was reached through its forwarding rule");
            Assert.Equal(0, await NatLab.CountAsync(zone, "silo-ports-in"));
            Assert.Equal(0, await NatLab.CountAsync(zone, "other-in"));
            Assert.False(zone.Executor.Logged("Refused a log stream connection"), $"{zone.Name}'s executor refused a client:\n{zone.Executor.Tail()}");
        }

        // Stable: watch the three clusters' membership until two minutes after start.
        var left = StableFor - up.Elapsed;
        if (left > TimeSpan.Zero)
        {
            await Task.WhenAny(monitor, Task.Delay(left));
        }

        await stop.CancelAsync();
        await monitor;
        output.WriteLine($"membership sampled {samples.Count} times over {up.Elapsed.TotalSeconds:0} s; last: {samples.LastOrDefault()}");
        Assert.True(samples.Count >= 10, $"only {samples.Count} membership samples");
        foreach (var zone in new[] { _lab.A, _lab.B, _lab.C })
        {
            Assert.False(zone.Silo.HasExited, $"{zone.Name}'s silo exited:\n{zone.Silo.Tail()}");
            Assert.False(zone.Silo.Logged("declared dead") || zone.Silo.Logged("ConnectivityCheckFailed"), $"{zone.Name}'s silo saw a death or failed a connectivity check:\n{zone.Silo.Tail()}");
        }

        // Nothing ever crossed a zone boundary except through a gateway, all the way through.
        foreach (var zone in new[] { _lab.B, _lab.C })
        {
            Assert.Equal(0, await NatLab.CountAsync(zone, "silo-ports-in"));
            Assert.Equal(0, await NatLab.CountAsync(zone, "other-in"));
        }
    }

    /// <summary>Every second: each zone's cluster must be exactly one Active silo. Fails the test at the first other sight.</summary>
    private async Task MonitorMembershipAsync(List<string> samples, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Dictionary<string, List<string>> membership;
            try
            {
                membership = await _lab.MembershipAsync();
            }
            catch (Exception e) when (e is global::Zuul.LiveLog.ZooKeeper.ConnectionLossException or global::Zuul.LiveLog.ZooKeeper.SessionExpiredException)
            {
                // The test's own reader lost ZooKeeper (its session is short); the silos' rows are what is watched, so
                // this sample is skipped and the next one reads with a new session.
                output.WriteLine($"membership sample skipped: the test's reader lost ZooKeeper ({e.Message})");
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                continue;
            }

            var line = string.Join("; ", membership.Select(kv => $"{kv.Key}: {string.Join(",", kv.Value)}"));
            samples.Add(line);
            if (membership.Values.Any(rows => rows is not ["Active"]))
            {
                throw new InvalidOperationException($"A zone's cluster is not exactly one Active silo: {line}\n{_lab.DescribeProcesses()}");
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>Network namespace labs run one at a time: each starts seven processes and a ZooKeeper.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NatLabCollection
{
    public const string Name = "NAT lab";
}
