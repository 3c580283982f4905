using System.Diagnostics;
using System.Diagnostics.Metrics;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Hosting.Telemetry;

/// <summary>
/// The project's own instruments, on meter <see cref="MeterName"/>. Every measurement carries this process's
/// <c>zuul.zone</c> and <c>zuul.role</c>; no attribute ever takes a build id, a host name or another unbounded value.
/// README ("Metrics") lists each instrument with its attributes and Prometheus name.
/// </summary>
public sealed class ZuulMetrics
{
    public const string MeterName = "Orleans.Zuul";

    public const string ZoneAttribute = "zuul.zone";
    public const string RoleAttribute = "zuul.role";
    public const string HopAttribute = "zuul.hop";
    public const string OutcomeAttribute = "zuul.stream.outcome";
    public const string ErrorTypeAttribute = "error.type";
    public const string ResolutionAttribute = "zuul.resolution";
    public const string RegistrationKindAttribute = "zuul.registration.kind";
    public const string GatewayZoneAttribute = "zuul.gateway.zone";
    public const string GatewayStateAttribute = "zuul.gateway.state";
    public const string ZooKeeperStateAttribute = "zuul.zookeeper.state";
    public const string BuildZoneAttribute = "zuul.build.zone";

    /// <summary>Seconds, 0.1 ms to 10 s: a local grain call is ~0.1 ms, a cross-zone one ~0.5 ms, a stuck one seconds.</summary>
    private static readonly IReadOnlyList<double> LatencyBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly KeyValuePair<string, object?> _zone;
    private readonly KeyValuePair<string, object?> _role;

    public ZuulMetrics(IMeterFactory meters, ComponentIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(identity);
        Identity = identity;
        _zone = new(ZoneAttribute, identity.Zone);
        _role = new(RoleAttribute, identity.Role);
        Meter = meters.Create(MeterName);
        StreamsActive = Meter.CreateUpDownCounter<long>("zuul.streams.active", "{stream}", "Streams relaying right now");
        StreamsOpened = Meter.CreateCounter<long>("zuul.streams.opened", "{stream}", "Streams whose upstream was opened and that began relaying");
        StreamsEnded = Meter.CreateCounter<long>("zuul.streams.ended", "{stream}", "Streams that ended, by outcome");
        StreamsRejected = Meter.CreateCounter<long>("zuul.streams.rejected", "{request}", "Stream requests answered with an error instead of a stream, by error type");
        RelayIo = Meter.CreateCounter<long>("zuul.relay.io", "By", "Log bytes sent to clients, by hop kind");
        TimeToFirstByte = Meter.CreateHistogram("zuul.stream.time_to_first_byte", "s",
            "From a stream request received to its first log byte sent", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        ResolutionDuration = Meter.CreateHistogram("zuul.stream.resolution.duration", "s",
            "Time the build's grain took to answer where its log is served from", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        Registrations = Meter.CreateCounter<long>("zuul.build.registrations", "{registration}", "Build starts and finishes registered with the cluster");
        RegistrationFailures = Meter.CreateCounter<long>("zuul.build.registration.failures", "{failure}", "Failed attempts to register a build start or finish (each retry counts)");
        BuildsLost = Meter.CreateCounter<long>("zuul.builds.lost", "{build}", "Running builds marked lost because their executor's liveness lease lapsed, by the build's zone");
    }

    public ComponentIdentity Identity { get; }

    /// <summary>The meter (from the host's <see cref="IMeterFactory"/>, disposed with it).</summary>
    public Meter Meter { get; }

    internal UpDownCounter<long> StreamsActive { get; }

    internal Counter<long> StreamsOpened { get; }

    internal Counter<long> StreamsEnded { get; }

    internal Counter<long> StreamsRejected { get; }

    internal Counter<long> RelayIo { get; }

    internal Histogram<double> TimeToFirstByte { get; }

    internal Histogram<double> ResolutionDuration { get; }

    internal Counter<long> Registrations { get; }

    internal Counter<long> RegistrationFailures { get; }

    internal Counter<long> BuildsLost { get; }

    /// <summary>A running build of <paramref name="buildZone"/> became lost (its executor's lease lapsed).</summary>
    public void BuildLost(string? buildZone) => BuildsLost.Add(1, Tags(BuildZoneAttribute, ComponentIdentity.ZoneTag(buildZone)));

    /// <summary>
    /// A stream began relaying; <paramref name="requestedAt"/> (<see cref="Stopwatch.GetTimestamp"/>) is when its request
    /// arrived. The returned meter counts its bytes and must be ended once.
    /// </summary>
    public StreamMeter StartStream(StreamHop hop, long requestedAt) => new(this, Tags(HopAttribute, Wire(hop)), requestedAt);

    /// <summary>A request got an error instead of a stream.</summary>
    public void Rejected(StreamRejection why) => StreamsRejected.Add(1, Tags(ErrorTypeAttribute, Wire(why)));

    /// <summary>A request got an error instead of a stream; its span, when traced, says why.</summary>
    public void Rejected(StreamRejection why, Activity? span)
    {
        Rejected(why);
        ZuulTracing.Rejected(span, why);
    }

    /// <summary>The build's grain answered (<paramref name="kind"/>) or failed (null) after <paramref name="elapsed"/>.</summary>
    public void Resolved(TimeSpan elapsed, StreamResolutionKind? kind) =>
        ResolutionDuration.Record(elapsed.TotalSeconds, Tags(ResolutionAttribute, kind is { } k ? Wire(k) : "error"));

    /// <summary>A build's <paramref name="kind"/> (<c>start</c> or <c>finish</c>) was registered with the cluster.</summary>
    public void Registered(string kind) => Registrations.Add(1, Tags(RegistrationKindAttribute, kind));

    /// <summary>An attempt to register a build's <paramref name="kind"/> failed with <paramref name="error"/>.</summary>
    public void RegistrationFailed(string kind, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var tags = Tags(RegistrationKindAttribute, kind);
        tags.Add(ErrorTypeAttribute, error.GetType().Name);
        RegistrationFailures.Add(1, tags);
    }

    /// <summary><c>zuul.builds.running</c>: the builds this executor runs now.</summary>
    public void ObserveBuildsRunning(Func<int> running) =>
        Meter.CreateObservableGauge("zuul.builds.running", () => new Measurement<int>(running(), _zone, _role), "{build}", "Builds running on this executor");

    /// <summary>
    /// <c>zuul.gateways.registered</c>: the zone-gateway registry as this process sees it, one measurement per
    /// (gateway zone, state). Every silo sees the whole registry: aggregate with <c>max</c>, not <c>sum</c>.
    /// </summary>
    public void ObserveGatewayRegistry(Func<IEnumerable<(string? Zone, string State, int Count)>> registry) =>
        Meter.CreateObservableGauge("zuul.gateways.registered",
            () => registry().Select(g => new Measurement<int>(g.Count, _zone, _role,
                new(GatewayZoneAttribute, ComponentIdentity.ZoneTag(g.Zone)), new(GatewayStateAttribute, g.State))),
            "{gateway}", "Finger gateways registered in ZooKeeper, by the gateway's zone and state");

    /// <summary>
    /// <c>zuul.zookeeper.session.state</c> (1 for the current state, 0 for the others), <c>zuul.zookeeper.reconnects</c>
    /// and <c>zuul.zookeeper.sessions</c> of this process's ZooKeeper connection.
    /// </summary>
    public void ObserveZooKeeper(ZooKeeperConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Meter.CreateObservableGauge("zuul.zookeeper.session.state",
            () => Enum.GetValues<ZooKeeperState>().Select(s => new Measurement<int>(
                (connection.State ?? ZooKeeperState.Connecting) == s ? 1 : 0, _zone, _role, new(ZooKeeperStateAttribute, Wire(s)))),
            "{state}", "1 for the ZooKeeper session's current state, 0 for the others");
        Meter.CreateObservableCounter("zuul.zookeeper.reconnects",
            () => new Measurement<long>(connection.Sessions.Reconnects, _zone, _role), "{reconnect}",
            "Times the ZooKeeper session was connected again after a disconnection (same session)");
        Meter.CreateObservableCounter("zuul.zookeeper.sessions",
            () => new Measurement<long>(connection.Sessions.SessionsStarted, _zone, _role), "{session}",
            "ZooKeeper sessions established, the first one and each replacement after an expiry");
    }

    /// <summary>
    /// <c>zuul.shared.upstreams</c> (builds this process holds one shared upstream for), <c>zuul.shared.cached</c> (bytes
    /// in their windows) and <c>zuul.shared.catchups</c> (clients that read the start over a connection of their own).
    /// </summary>
    public void ObserveSharedStreams(Func<int> upstreams, Func<long> cached, Func<long> catchUps)
    {
        ArgumentNullException.ThrowIfNull(upstreams);
        ArgumentNullException.ThrowIfNull(cached);
        ArgumentNullException.ThrowIfNull(catchUps);
        Meter.CreateObservableGauge("zuul.shared.upstreams", () => new Measurement<int>(upstreams(), _zone, _role), "{upstream}",
            "Builds this process holds a shared upstream connection for (lingering ones included)");
        Meter.CreateObservableGauge("zuul.shared.cached", () => new Measurement<long>(cached(), _zone, _role), "By",
            "Log bytes held in the shared streams' windows, all builds together");
        Meter.CreateObservableCounter("zuul.shared.catchups", () => new Measurement<long>(catchUps(), _zone, _role), "{catchup}",
            "Clients of a shared stream that read the log's start over an upstream connection of their own (late beyond the window, or fallen behind)");
    }

    internal TagList Tags(string key, string value) => new() { _zone, _role, { key, value } };

    internal static string Wire(StreamHop hop) => HopNames[(int)hop];

    internal static string Wire(StreamEnd end) => EndNames[(int)end];

    private static string Wire(StreamRejection why) => RejectionNames[(int)why];

    private static string Wire(StreamResolutionKind kind) => Snake(kind.ToString());

    private static string Wire(ZooKeeperState state) => Snake(state.ToString());

    // Computed once: wire names are taken on every stream, and the relay must not allocate them.
    private static readonly string[] HopNames = Enum.GetNames<StreamHop>().Select(Snake).ToArray();
    private static readonly string[] EndNames = Enum.GetNames<StreamEnd>().Select(Snake).ToArray();
    private static readonly string[] RejectionNames = Enum.GetNames<StreamRejection>().Select(Snake).ToArray();

    /// <summary><c>ClientClosed</c> to <c>client_closed</c>: OpenTelemetry attribute values are lower snake case.</summary>
    public static string Snake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));
}
