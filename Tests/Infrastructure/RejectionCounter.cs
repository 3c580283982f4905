using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// Listens to <c>zuul.streams.rejected</c> of every in-process component of one zone (a zone of the test's own keeps
/// other tests' measurements apart) and sums it by <c>error.type</c>.
/// </summary>
public sealed class RejectionCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public RejectionCounter(string zone)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ZuulMetrics.MeterName && instrument.Name == "zuul.streams.rejected")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? type = null;
            var ours = false;
            foreach (var tag in tags)
            {
                if (tag.Key == ZuulMetrics.ErrorTypeAttribute)
                {
                    type = tag.Value as string;
                }
                else if (tag.Key == ZuulMetrics.ZoneAttribute)
                {
                    ours = Equals(tag.Value, zone);
                }
            }

            if (ours && type is not null)
            {
                _counts.AddOrUpdate(type, value, (_, n) => n + value);
            }
        });
        _listener.Start();
    }

    /// <summary>Rejections of <paramref name="errorType"/> (e.g. <c>too_many_connections_from_client</c>) so far.</summary>
    public long this[string errorType] => _counts.GetValueOrDefault(errorType);

    public void Dispose() => _listener.Dispose();
}
