using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Executor;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Executor;

/// <summary>With build registration on and no cluster to reach, the executor still serves logs and keeps trying.</summary>
public sealed class ClusterlessStartTests
{
    [Fact]
    public async Task TheLogStreamerServesWhileTheClusterIsUnreachable()
    {
        var root = ExecutorHost.NewJobRoot();
        var id = Guid.NewGuid().ToString("N");
        var logs = Path.Combine(root, id, "work", "logs");
        Directory.CreateDirectory(logs);
        File.WriteAllText(Path.Combine(logs, "job-output.txt"), "served without a cluster\n");
        File.WriteAllText(Path.Combine(logs, "job-output.txt.done"), "SUCCESS\n");

        var log = new LogCollector();
        var app = ExecutorApp.Build(
        [
            "--Executor:JobRoot", root,
            "--Executor:LogStreamPort", "0",
            "--Executor:ListenAddress", "127.0.0.1",
            "--Executor:RegisterBuilds", "true",
            "--Cluster:Id", "nobody-" + Guid.NewGuid().ToString("N")[..8],
            "--Orleans:GatewayPort", TestPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:Orleans.Runtime", "None",
            "--Logging:LogLevel:Orleans.Messaging", "None",
        ],
        builder => builder.Logging.AddProvider(log));

        using var stop = new CancellationTokenSource();
        var start = Task.Run(() => app.StartAsync(stop.Token)); // off this thread: a dependency cycle would block the call itself
        try
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            await Eventually.UntilAsync(() => addresses.Count > 0, "the log streamer to listen");
            using var client = FingerTestClient.Connect(app.GetLogStreamPort()).Send(id + "\n");
            Assert.Equal("served without a cluster\n", Encoding.UTF8.GetString(await client.ReadToEndAsync()));

            await Eventually.UntilAsync(() => log.Problems.Any(p => p.Contains("[1321]", StringComparison.Ordinal)), "a warning that the cluster is not reachable");
            Assert.False(start.IsCompleted, "start-up keeps waiting for the cluster");
        }
        finally
        {
            // Bounded, so a host stuck in start-up (e.g. a dependency cycle) fails this test instead of hanging the run.
            await stop.CancelAsync();
            var cleanup = Task.Run(async () =>
            {
                try
                {
                    await start; // cancelled start-up ends with OperationCanceledException
                }
                catch (OperationCanceledException)
                {
                }

                using var stopDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await app.StopAsync(stopDeadline.Token);
                await app.DisposeAsync();
                Directory.Delete(root, recursive: true);
            });
            await Eventually.WithinAsync(cleanup, "the executor to give up its start-up and stop once cancelled", TimeSpan.FromSeconds(30));
        }
    }
}
