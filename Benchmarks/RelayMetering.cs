using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>
/// The relay's byte counting as a gateway runs it: <see cref="ZuulMetrics"/> with the OpenTelemetry SDK aggregating every
/// measurement (as it does behind <c>/metrics</c>), so the allocation benchmark measures the counting too. The SDK's
/// reader collects only when asked (as a scrape does), so nothing runs in the background during a measurement.
/// </summary>
internal sealed class RelayMetering : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly MeterProvider _provider;
    private readonly RelayIoSum _sum = new();

    public RelayMetering()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Metrics = new ZuulMetrics(_services.GetRequiredService<IMeterFactory>(), ComponentIdentity.For(ComponentIdentity.Silo, "bench"));
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(ZuulMetrics.MeterName)
            .AddReader(new BaseExportingMetricReader(_sum) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative })
            .Build();
    }

    public ZuulMetrics Metrics { get; }

    /// <summary>A stream's meter, as the gateway opens one per relayed stream.</summary>
    public StreamMeter Start() => Metrics.StartStream(StreamHop.Gateway, Stopwatch.GetTimestamp());

    /// <summary>The SDK's total of <c>zuul.relay.io</c>, collected now: proof that the counting happened.</summary>
    public long CollectedBytes()
    {
        _provider.ForceFlush();
        return _sum.Total;
    }

    public void Dispose()
    {
        _provider.Dispose();
        _services.Dispose();
    }

    private sealed class RelayIoSum : BaseExporter<Metric>
    {
        public long Total { get; private set; }

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                if (metric.Name != "zuul.relay.io")
                {
                    continue;
                }

                long total = 0;
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    total += point.GetSumLong();
                }

                Total = total;
            }

            return ExportResult.Success;
        }
    }
}
