using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// npm's <c>oidc-provider</c> run with node on a loopback port (Tests/WebFrontend/Oidc/provider.mjs), with an RSA
/// signing key made here (<see cref="Key"/>: the test signs tokens of its own with it), one public client and test users.
/// The package is installed by scripts/install-deps.sh into <see cref="ModuleDirectory"/>.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    /// <summary>The pinned package, as scripts/test.sh installs it.</summary>
    public const string Package = "oidc-provider@9.13.3";

    private readonly Process _process;
    private readonly string _configPath;
    private readonly List<string> _output = [];

    private OidcProvider(Process process, string configPath, Uri issuer, RsaSecurityKey key)
    {
        _process = process;
        _configPath = configPath;
        Issuer = issuer;
        Key = key;
    }

    public Uri Issuer { get; }

    /// <summary>The key the provider signs with (its JWKS publishes the public half).</summary>
    public RsaSecurityKey Key { get; }

    public string IssuerId => Issuer.ToString().TrimEnd('/');

    public static string ModuleDirectory =>
        Environment.GetEnvironmentVariable("ZUUL_NPM_CACHE") is { Length: > 0 } cache
            ? Path.Combine(cache, Package)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "orleans-zuul", "npm", Package);

    /// <summary>Starts the provider on <paramref name="port"/> for a client whose login returns to <paramref name="redirectUri"/>.</summary>
    public static async Task<OidcProvider> StartAsync(int port, string clientId, Uri redirectUri, Dictionary<string, object> users)
    {
        if (!File.Exists(Path.Combine(ModuleDirectory, "node_modules", "oidc-provider", "package.json")))
        {
            throw new FileNotFoundException($"npm package {Package} not found in {ModuleDirectory}: run scripts/install-deps.sh npm:{Package} (scripts/test.sh does).");
        }

        var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = "test-" + Guid.NewGuid().ToString("N")[..8] };
        var p = rsa.ExportParameters(includePrivateParameters: true);
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "RSA", ["kid"] = key.KeyId, ["alg"] = "RS256", ["use"] = "sig",
            ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent), ["d"] = Base64UrlEncoder.Encode(p.D),
            ["p"] = Base64UrlEncoder.Encode(p.P), ["q"] = Base64UrlEncoder.Encode(p.Q), ["dp"] = Base64UrlEncoder.Encode(p.DP),
            ["dq"] = Base64UrlEncoder.Encode(p.DQ), ["qi"] = Base64UrlEncoder.Encode(p.InverseQ),
        };
        var issuer = new Uri($"http://127.0.0.1:{port}");
        var configPath = Path.Combine(Path.GetTempPath(), $"orleans-zuul-oidc-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["port"] = port,
            ["issuer"] = issuer.ToString().TrimEnd('/'),
            ["jwks"] = new Dictionary<string, object> { ["keys"] = new[] { jwk } },
            ["clientId"] = clientId,
            ["redirectUris"] = new[] { redirectUri.ToString() },
            ["users"] = users,
        }));

        var script = Path.Combine(RepositoryRoot.Path, "Tests", "WebFrontend", "Oidc", "provider.mjs");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(ModuleDirectory);
        start.ArgumentList.Add(configPath);
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var provider = new OidcProvider(process, configPath, issuer, key);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (provider._output)
            {
                provider._output.Add(e.Data);
            }

            if (e.Data.Contains("listening", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (provider._output)
                {
                    provider._output.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60))) != listening.Task)
        {
            await provider.DisposeAsync();
            throw new InvalidOperationException("oidc-provider did not start: " + string.Join("\n", provider.Output));
        }

        return provider;
    }

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        File.Delete(_configPath);
    }
}
