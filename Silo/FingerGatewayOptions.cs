using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Finger.Tls;
using Zuul.LiveLog.Hosting.Connections;

namespace Zuul.LiveLog.Silo;

/// <summary>The zone's finger gateway (section <c>FingerGateway</c>).</summary>
public sealed class FingerGatewayOptions
{
    public const string Section = "FingerGateway";

    /// <summary>Whether this silo runs a finger gateway at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Address the gateway listens on.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>Port the gateway listens on; 0 picks a free one. Zuul's fingergw uses 79, which needs privileges.</summary>
    public int Port { get; set; } = 7979;

    /// <summary>Hostname other zones use to reach this gateway (the spec: configurable, like the executors').</summary>
    public string Hostname { get; set; } = Environment.MachineName;

    /// <summary>Port the outside world reaches (NAT, NodePort); defaults to <see cref="Port"/>.</summary>
    public int? PublicPort { get; set; }

    /// <summary>Time a client has to send its request line (Zuul: 10 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections the gateway holds at most (<c>FingerGateway:MaxConnections</c>); more are refused with an error line.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Connections one client address holds at most (<c>FingerGateway:MaxConnectionsPerClient</c>; 0 = no limit). Other
    /// zones' gateways and web frontends carry all their users' streams from one address: raise it for them.
    /// </summary>
    public int MaxConnectionsPerClient { get; set; } = 1_000;

    /// <summary>The two connection limits as one value.</summary>
    public ConnectionLimits Limits => new(MaxConnections, MaxConnectionsPerClient);

    /// <summary>Time to open a connection to the next hop.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a relay whose upstream failed mid-stream is resumed before the client is told (<c>FingerGateway:ResumeWindow</c>, PROTOCOL.md section 6).</summary>
    public TimeSpan ResumeWindow { get; set; } = FingerConnectorOptions.DefaultResumeWindow;

    /// <summary>
    /// On stop, how long in-flight relays may go on after the gateway left the registry (<c>FingerGateway:DrainTime</c>);
    /// then they are reset, so a downstream gateway or web frontend resumes elsewhere and a finger client sees a failure,
    /// not an end. Keeps the whole stop inside a 30 s grace period.
    /// </summary>
    public TimeSpan DrainTime { get; set; } = DefaultDrainTime;

    public static readonly TimeSpan DefaultDrainTime = TimeSpan.FromSeconds(10);

    /// <summary>Local address of connections to executors and other gateways (<c>FingerGateway:LocalAddress</c>); null = any.</summary>
    public string? LocalAddress { get; set; }

    /// <summary>
    /// Relay plaintext streams with <c>splice(2)</c> on Linux (<c>FingerGateway:UseSplice</c>): bytes go from the upstream
    /// socket to the client's through a kernel pipe, never through user space. False copies through 64 KiB reads.
    /// </summary>
    public bool UseSplice { get; set; } = true;

    /// <summary>TLS of the listener and of connections to other gateways (<c>FingerGateway:Tls:*</c>).</summary>
    public FingerTlsOptions Tls { get; set; } = new();

    /// <summary>Static host map for gateways of other zones (<c>FingerGateway:Hosts:&lt;name&gt; = address</c>).</summary>
    public Dictionary<string, string> Hosts { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
