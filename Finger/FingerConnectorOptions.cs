using Zuul.LiveLog.Finger.Tls;

namespace Zuul.LiveLog.Finger;

/// <summary>How outgoing finger connections are made.</summary>
public sealed class FingerConnectorOptions
{
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a stream whose upstream failed while the build runs is re-opened and resumed (another gateway of the
    /// zone, or the same one once it is back) before the client is told it failed; zero = fail at once. The window
    /// starts again whenever bytes flow.
    /// </summary>
    public TimeSpan ResumeWindow { get; set; } = DefaultResumeWindow;

    public static readonly TimeSpan DefaultResumeWindow = TimeSpan.FromSeconds(30);

    /// <summary>The longest <see cref="ResumeWindow"/> accepted: a client left waiting longer is better told.</summary>
    public static readonly TimeSpan MaxResumeWindow = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Local address outgoing connections are made from (like nginx's <c>proxy_bind</c>), for hosts with several
    /// addresses where executors only accept their zone's network. Null = chosen by the system.
    /// </summary>
    public string? LocalAddress { get; set; }

    /// <summary>Client-side TLS (certificate, CA, hostname checks) for targets registered with <c>tls: true</c>.</summary>
    public FingerTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Static host map (name -> address), like curl's <c>--resolve</c>: the name is still used for SNI and
    /// certificate checks. For zones whose gateway names the local DNS does not know.
    /// </summary>
    public Dictionary<string, string> Hosts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>TCP keepalive of every outgoing connection (the process's <c>TcpKeepAlive</c> section), so a next hop that vanished silently ends the relay.</summary>
    public TcpKeepAliveOptions KeepAlive { get; set; } = new();
}
