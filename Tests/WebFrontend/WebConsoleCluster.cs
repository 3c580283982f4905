using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>
/// A silo in zone <see cref="Zone"/> (its finger gateway registers there) and a web frontend, shared by a test class.
/// The frontend has an admin listener (<see cref="Admin"/>), an HS256 authenticator (<see cref="TestTokens"/>) whose
/// <c>roles=zuul-admin</c> tokens are admins, and one protected tenant, <see cref="ProtectedTenant"/>, readable with
/// <c>groups=secret-readers</c>; every other tenant is open to anonymous readers.
/// </summary>
public sealed class WebConsoleCluster : IAsyncLifetime
{
    public const string Zone = "zone-a";

    public const string ProtectedTenant = "secret-t";

    public const string ReaderGroup = "secret-readers";

    public const string AdminRole = "zuul-admin";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public ClusterHarness Harness { get; } = new();

    public SiloHandle Silo { get; private set; } = null!;

    public Uri Web { get; private set; } = null!;

    /// <summary>The admin listener: dashboard, zones, executor addresses.</summary>
    public Uri Admin { get; private set; } = null!;

    /// <summary>The web frontend's settings besides the cluster's: the auth described above.</summary>
    public static string[] AuthArgs() =>
    [
        "--Web:AdminUrls", "http://127.0.0.1:0",
        "--Auth:Authenticators:operator:Driver", "HS256",
        "--Auth:Authenticators:operator:IssuerId", TestTokens.Issuer,
        "--Auth:Authenticators:operator:ClientId", TestTokens.Audience,
        "--Auth:Authenticators:operator:Secret", TestTokens.Secret,
        "--Auth:Authenticators:operator:Skew", "00:00:05",
        "--Auth:AdminRules:0", "roles=" + AdminRole,
        $"--Auth:Tenants:{ProtectedTenant}:ReadProtected", "true",
        $"--Auth:Tenants:{ProtectedTenant}:ReadRules:0", "groups=" + ReaderGroup,
    ];

    public IGrainFactory Grains => Harness.Grains;

    public async Task InitializeAsync()
    {
        Silo = await Harness.StartSiloAsync(Zone);
        var web = await Harness.StartWebFrontendAppAsync(null, AuthArgs());
        Web = new Uri(web.Urls.First());
        Admin = new Uri(web.Urls.Skip(1).First());
        await Eventually.UntilAsync(
            async () => (await Grains.GetGrain<IZoneGatewayGrain>(Zone).ListAsync()).Count > 0, $"the silo's finger gateway to register in {Zone}", Timeout);
    }

    public async Task DisposeAsync() => await Harness.DisposeAsync();

    /// <summary>Registers a build the way an executor does, with a fresh uuid.</summary>
    public async Task<string> StartBuildAsync(string? zone, string executor = "exec-1", int port = 7900, string job = "unit-tests", string? tenant = null)
    {
        var id = Guid.NewGuid().ToString("N");
        await Grains.GetGrain<IBuildGrain>(id).StartAsync(new BuildStart(zone, executor, port, job, DateTimeOffset.UtcNow, Tenant: tenant));
        return id;
    }

    public Task FinishBuildAsync(string id, string result = "SUCCESS") =>
        Grains.GetGrain<IBuildGrain>(id).FinishAsync(new BuildFinish(result, DateTimeOffset.UtcNow));
}
