using System.Diagnostics;

namespace Zuul.LiveLog.Hosting.Telemetry;

/// <summary>
/// The project's spans (source <see cref="SourceName"/>), exported only when traces are configured:
/// <c>finger stream</c> (gateway and executor, one per connection), <c>console stream</c> (web frontend, under the
/// ASP.NET Core request), <c>resolve</c> (the build grain call, whose Orleans spans nest under it, across processes)
/// and <c>connect</c> (to the next hop). The finger protocol has no room for a trace context, so each hop of a stream
/// starts a trace of its own; every span of a stream carries <c>zuul.build.id</c>, which joins them.
/// </summary>
public static class ZuulTracing
{
    public const string SourceName = "Orleans.Zuul";

    public const string BuildIdAttribute = "zuul.build.id";

    /// <summary>Orleans' sources: its grain-call spans, propagated to the silo that runs the grain.</summary>
    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    public static readonly ActivitySource Source = new(SourceName, typeof(ZuulTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Starts a stream's span (null when nobody listens): <paramref name="name"/> is <c>finger stream</c> or <c>console stream</c>.</summary>
    public static Activity? StartStream(string name, ActivityKind kind, string buildId, StreamHop hop)
    {
        var activity = Source.StartActivity(name, kind);
        activity?.SetTag(BuildIdAttribute, buildId).SetTag(ZuulMetrics.HopAttribute, ZuulMetrics.Wire(hop));
        return activity;
    }

    /// <summary>The hop, once known (a gateway learns whether its upstream is TLS only when it has connected).</summary>
    public static void SetHop(Activity? activity, StreamHop hop) => activity?.SetTag(ZuulMetrics.HopAttribute, ZuulMetrics.Wire(hop));

    /// <summary>Marks the end of a stream's span: its outcome and bytes, an error status when it did not complete.</summary>
    public static void Ended(Activity? activity, StreamEnd outcome, long bytes)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(ZuulMetrics.OutcomeAttribute, ZuulMetrics.Wire(outcome)).SetTag("zuul.stream.bytes", bytes);
        if (outcome is StreamEnd.UpstreamFailed or StreamEnd.Refused or StreamEnd.Error)
        {
            activity.SetStatus(ActivityStatusCode.Error, ZuulMetrics.Wire(outcome));
        }
    }

    /// <summary>Marks a stream's span as rejected.</summary>
    public static void Rejected(Activity? activity, StreamRejection why) =>
        activity?.SetTag(ZuulMetrics.ErrorTypeAttribute, ZuulMetrics.Snake(why.ToString())).SetStatus(ActivityStatusCode.Error, why.ToString());
}
