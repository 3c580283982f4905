namespace Zuul.LiveLog.Executor;

/// <summary>
/// Settings of the executor process, bound from the <c>Executor</c> configuration section
/// (appsettings, <c>Executor__Key</c> environment variables or <c>--Executor:Key value</c> arguments).
/// </summary>
public sealed class ExecutorOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Executor";

    /// <summary>
    /// Zuul's job directory root (<c>Executor:JobRoot</c>): build <c>&lt;id&gt;</c> lives in
    /// <c>&lt;JobRoot&gt;/&lt;id&gt;/</c> and logs to <c>work/logs/job-output.txt</c> below it.
    /// Required unless <see cref="Demo"/> is on; in demo mode it defaults to a fresh directory under
    /// <c>/tmp/orleans-zuul/jobs</c>.
    /// </summary>
    public string? JobRoot { get; set; }

    /// <summary>TCP port of the finger log streamer (<c>Executor:LogStreamPort</c>, default 7900; 0 = any free port).</summary>
    public int LogStreamPort { get; set; } = 7900;

    /// <summary>IP address the log streamer listens on (<c>Executor:ListenAddress</c>, default <c>0.0.0.0</c>;
    /// <c>*</c> = every IPv4 address, <c>localhost</c> = loopback).</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>Host name advertised to the cluster for this executor's log streamer
    /// (<c>Executor:Hostname</c>, default: the machine's host name).</summary>
    public string? Hostname { get; set; }

    /// <summary>Register builds with their <c>BuildGrain</c> through an Orleans client (<c>Executor:RegisterBuilds</c>,
    /// default true). False runs the log streamer and job sources without any cluster.</summary>
    public bool RegisterBuilds { get; set; } = true;

    /// <summary>How long a client may take to send its request line (<c>Executor:RequestTimeout</c>, default 10 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections the log streamer holds at most (<c>Executor:MaxConnections</c>); more are refused with an error line.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Connections one client address holds at most (<c>Executor:MaxConnectionsPerClient</c>; default 0 = no limit): an
    /// executor's clients are normally its zone's gateways, each carrying every user's stream from one address.
    /// </summary>
    public int MaxConnectionsPerClient { get; set; }

    /// <summary>The two connection limits as one value.</summary>
    public Zuul.LiveLog.Hosting.Connections.ConnectionLimits Limits => new(MaxConnections, MaxConnectionsPerClient);

    /// <summary>Safety re-check of a followed log against missed file notifications
    /// (<c>Executor:FollowRecheckInterval</c>, default 1 s). Latency comes from notifications, not from this.</summary>
    public TimeSpan FollowRecheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Safety re-scan of <see cref="JobRoot"/> by the job-root watcher
    /// (<c>Executor:JobRootScanInterval</c>, default 2 s); it also notices <c>.done</c> markers.</summary>
    public TimeSpan JobRootScanInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Send log bytes with <c>sendfile(2)</c> straight from the page cache to the socket (<c>Executor:UseSendFile</c>,
    /// default true); false copies through the connection's output pipe in 64 KiB reads.</summary>
    public bool UseSendFile { get; set; } = true;

    /// <summary>Run simulated builds that write realistic logs into <see cref="JobRoot"/> (<c>Executor:Demo</c>).</summary>
    public bool Demo { get; set; }

    /// <summary>Log lines per second of each demo build (<c>Executor:DemoLinesPerSecond</c>, default 10).</summary>
    public double DemoLinesPerSecond { get; set; } = 10;

    /// <summary>Duration of each demo build (<c>Executor:DemoBuildSeconds</c>, default 60).</summary>
    public double DemoBuildSeconds { get; set; } = 60;

    /// <summary>Demo builds running at the same time (<c>Executor:DemoConcurrentBuilds</c>, default 2).</summary>
    public int DemoConcurrentBuilds { get; set; } = 2;

    /// <summary>Finished demo build directories kept; older ones are removed (<c>Executor:DemoKeepFinishedBuilds</c>, default 20).</summary>
    public int DemoKeepFinishedBuilds { get; set; } = 20;

    /// <summary>Client addresses or CIDR networks allowed to open log streams (<c>Executor:AllowedClients</c>,
    /// e.g. the zone's own network, so only the zone's gateway reaches this executor). Empty = everyone.</summary>
    public List<string> AllowedClients { get; set; } = [];

    /// <summary>
    /// The liveness lease without ZooKeeper (<c>Executor:LeaseDuration</c>, default 30 s, renewed every third): when it is
    /// not renewed for this long, the executor's running builds become lost. With ZooKeeper the lease is the session
    /// (an ephemeral node) and this is not used.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Builds waiting to be registered at most (<c>Executor:RegistrationQueueLimit</c>, default 10000). The queue keeps the
    /// latest state per build; beyond the limit a new build waits in the job root (logged) until there is room.
    /// </summary>
    public int RegistrationQueueLimit { get; set; } = 10_000;

    /// <summary>Tenant of a build whose job directory records none (<c>Executor:DefaultTenant</c>, default
    /// <c>default</c>); a job's own tenant is <c>zuul.tenant</c> in <c>&lt;id&gt;/ansible/inventory.yaml</c>.</summary>
    public string DefaultTenant { get; set; } = Grains.BuildRecords.DefaultTenant;

    /// <summary>Tenants the demo's builds take turns in (<c>Executor:DemoTenants</c>, default <c>demo-a</c> and <c>demo-b</c>).</summary>
    public List<string> DemoTenants { get; set; } = [];

    /// <summary>The demo's tenants when none are configured.</summary>
    public static readonly IReadOnlyList<string> DefaultDemoTenants = ["demo-a", "demo-b"];

    /// <summary>The default job root of demo mode when none is configured.</summary>
    public static string DefaultDemoJobRoot() =>
        Path.Combine(Path.GetTempPath(), "orleans-zuul", "jobs", $"demo-{Environment.ProcessId}");
}
