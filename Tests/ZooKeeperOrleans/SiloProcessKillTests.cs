using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Xunit.Abstractions;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>
/// A second silo in its own process, killed (SIGKILL): the survivor declares it dead within the probe settings and its
/// builds reactivate from ZooKeeper storage with their state.
/// </summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class SiloProcessKillTests(ZooKeeperFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const string ZoneB = "zone-b";
    private ClusterHarness _cluster = null!;
    private Process? _process;

    public async Task InitializeAsync() => _cluster = new ClusterHarness(await fixture.NewChrootAsync());

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task KilledSiloIsDeclaredDeadAndItsBuildsLiveOn()
    {
        var a = await _cluster.StartSiloAsync(ZoneB);
        var membership = a.App.Services.GetRequiredService<IClusterMembershipService>();
        var siloA = a.App.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        _process = StartSiloProcess();
        await Eventually.UntilAsync(
            () => _process.HasExited || membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) == 2, "the silo process to join the cluster", Timeout);
        Assert.False(_process.HasExited, "the silo process exited");
        var siloB = membership.CurrentSnapshot.Members.Values.Single(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(siloA)).SiloAddress;

        var grains = a.App.Services.GetRequiredService<IGrainFactory>();
        var management = grains.GetGrain<IManagementGrain>(0);

        // Builds are registered as an executor of zone B does, through a client of zone B's cluster. Build grains prefer
        // the silo the registration arrives at, and the client spreads its calls over both gateways: keep registering
        // until six builds live on silo B, the one to be killed.
        var zoneBClient = Host.CreateApplicationBuilder([.. _cluster.ClientArgs(), "--Zone", ZoneB]);
        zoneBClient.AddZuulClusterClient();
        using var executorHost = zoneBClient.Build();
        await executorHost.StartAsync();
        var executorGrains = executorHost.Services.GetRequiredService<IClusterClient>();
        var builds = new List<string>();
        var onB = 0;
        for (var attempt = 0; attempt < 200 && onB < 6; attempt++)
        {
            var id = Guid.NewGuid().ToString("N");
            var i = builds.Count;
            await executorGrains.GetGrain<IBuildGrain>(id).StartAsync(new BuildStart(ZoneB, "executor-" + i, 7900 + i, "job", DateTimeOffset.UtcNow));
            builds.Add(id);
            if (await management.GetActivationAddress(grains.GetGrain<IBuildGrain>(id)) is { } where && where.Equals(siloB))
            {
                onB++;
            }
        }

        await executorHost.StopAsync();
        Assert.True(onB == 6, $"only {onB} of {builds.Count} builds registered through zone B's cluster were placed on silo B");
        // The test's own reader has a long session: a few seconds' stall of the machine must not cost it its connection.
        await using var observer = await ZooKeeperFixture.ConnectAsync(_cluster.ZooKeeper!, TimeSpan.FromSeconds(30));
        async Task<int> GatewaysAsync() => (await observer.GetChildrenAsync(Zuul.LiveLog.ZooKeeper.Orleans.ZooKeeperPaths.FingerGateways)).Children.Count;
        await Eventually.UntilAsync(async () => await GatewaysAsync() == 2, "both finger gateways registered", Timeout);

        _process.Kill(entireProcessTree: true);
        var killed = Stopwatch.StartNew();
        await Eventually.UntilAsync(async () => await GatewaysAsync() == 1, "the killed silo's gateway registration to go", Timeout);
        var registrationGone = killed.Elapsed;
        // ZooKeeper expires the session about one session timeout after the kill; three allow for a stalled machine
        // (a full run saw a 4 s stall) and still tell expiry from a registration that never goes.
        Assert.True(registrationGone < TimeSpan.FromSeconds(3 * 4), $"registration gone {registrationGone} after the kill; session timeout 4 s");
        await Eventually.UntilAsync(() => membership.CurrentSnapshot.GetSiloStatus(siloB) == SiloStatus.Dead, "the survivor to declare the killed silo dead", Timeout);
        var declared = killed.Elapsed;
        Assert.True(declared < TimeSpan.FromSeconds(20), $"declared dead after {declared}");

        for (var i = 0; i < builds.Count; i++)
        {
            var info = await grains.GetGrain<IBuildGrain>(builds[i]).GetAsync();
            Assert.NotNull(info);
            Assert.Equal(("executor-" + i, 7900 + i, BuildState.Running, ZoneB), (info.ExecutorHostname, info.LogPort, info.State, info.Zone));
        }

        output.WriteLine($"{onB} of {builds.Count} builds were on the killed silo; declared dead {declared.TotalSeconds:0.0} s and its gateway registration gone {registrationGone.TotalSeconds:0.0} s after the kill; all {builds.Count} resolved after {killed.Elapsed.TotalSeconds:0.0} s");
    }

    private Process StartSiloProcess()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Orleans.Zuul.Silo.dll"));
        foreach (var arg in new[]
        {
            "--Orleans:SiloPort", TestPorts.Next().ToString(inv),
            "--Orleans:GatewayPort", TestPorts.Next().ToString(inv),
            "--FingerGateway:ListenAddress", "127.0.0.1",
            "--FingerGateway:Port", "0",
            "--FingerGateway:Hostname", "127.0.0.1",
            "--Logging:LogLevel:Default", "Warning",
            "--Zone", ZoneB,
        }.Concat(_cluster.SiloArgs()))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the silo process");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.WriteLine("[silo B] " + e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.WriteLine("[silo B] " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
