using System.Net;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Hosting.Connections;
using Zuul.LiveLog.Hosting.Telemetry;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Hosting;

/// <summary>The limiter's counting and the refusal log's rate limit, with a clock the test moves.</summary>
public sealed class ConnectionLimiterTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void ClientsAreLimitedApartAndTheListenerInAll()
    {
        var (limiter, _, _) = Create(new ConnectionLimits(Max: 3, PerClient: 2));
        var a1 = limiter.TryAcquire(A, out _);
        var a2 = limiter.TryAcquire(IPAddress.Parse("::ffff:192.0.2.1"), out _);
        Assert.NotNull(a1);
        Assert.NotNull(a2);
        Assert.Null(limiter.TryAcquire(A, out var byClient));
        Assert.Equal(ConnectionLimit.Client, byClient);
        var b1 = limiter.TryAcquire(B, out _);
        Assert.NotNull(b1);
        Assert.Null(limiter.TryAcquire(B, out var byListener));
        Assert.Equal(ConnectionLimit.Listener, byListener);

        a1!.Dispose();
        a1.Dispose(); // once only
        Assert.Equal(2, limiter.Open);
        Assert.NotNull(limiter.TryAcquire(A, out _));
    }

    [Fact]
    public void RefusalsAreLoggedOncePerAddressPerInterval()
    {
        var (limiter, logs, time) = Create(new ConnectionLimits(Max: 1, PerClient: 0));
        using var held = limiter.TryAcquire(A, out _);
        for (var i = 0; i < 100; i++)
        {
            Assert.Null(limiter.TryAcquire(B, out _));
        }

        Assert.Single(logs.Lines);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(limiter.TryAcquire(B, out _));
        Assert.Equal(2, logs.Lines.Count);
        Assert.Contains("99 more refused from there", logs.Lines.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public void AFloodFromManyAddressesSharesOneLine()
    {
        var logs = new LogCollector();
        var time = new ManualTime();
        var log = new RefusalLog(logs.CreateLogger("Zuul.LiveLog.Test"), time, TimeSpan.FromSeconds(10), maxAddresses: 4);
        for (var i = 0; i < 1000; i++)
        {
            log.Refused("test", new IPAddress([198, 51, (byte)(i >> 8), (byte)i]), ConnectionLimit.Listener, 1);
        }

        // Four addresses fill the table, everyone else shares one line.
        Assert.Equal(5, logs.Lines.Count);
        Assert.Contains("(other addresses)", logs.Lines.Last(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0, "Test:Max must be 1..1000000 (got 0).")]
    [InlineData(10, 11, "Test:PerClient must be 0 (no limit per client) up to Test:Max (10) (got 11).")]
    [InlineData(10, -1, "Test:PerClient must be 0 (no limit per client) up to Test:Max (10) (got -1).")]
    public void BadLimitsAreNamed(int max, int perClient, string error) =>
        Assert.Contains(error, new ConnectionLimits(max, perClient).Validate("Test", "Max", "PerClient"));

    private static (ConnectionLimiter Limiter, LogCollector Logs, ManualTime Time) Create(ConnectionLimits limits)
    {
        var logs = new LogCollector();
        var time = new ManualTime();
        var metrics = new ZuulMetrics(new MeterFactory(), ComponentIdentity.For("test", null));
        return (new ConnectionLimiter("test", limits, metrics, new RefusalLog(logs.CreateLogger("Zuul.LiveLog.Test"), time, TimeSpan.FromSeconds(10))), logs, time);
    }

    private sealed class MeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
