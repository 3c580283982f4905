using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Hosting.Connections;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// Builds the executor process: the finger log streamer in Kestrel, the job sources (job-root watcher, demo builds)
/// and build registration with the cluster (an Orleans client, unless <c>Executor:RegisterBuilds=false</c>).
/// </summary>
public static partial class ExecutorApp
{
    /// <summary>
    /// Creates the executor host from command-line style <paramref name="args"/> (e.g. <c>--Executor:LogStreamPort 0</c>).
    /// <paramref name="configure"/> runs last, so tests can replace services (e.g. <see cref="IBuildRegistrar"/>).
    /// Throws <see cref="OptionsStartupException"/> listing every invalid setting.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // No reload-on-change of appsettings: it watches the content root recursively, and inotify instances and
        // watches are better spent on followed builds. Explicit arguments still win.
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange", "false", .. args]);
        builder.Services.AddConsoleLogDefaults();
        var settings = ReadOptions(builder.Configuration);
        var errors = ExecutorOptionsValidator.Collect(settings).ToList();
        var health = HealthListener.Read(builder.Configuration, errors);
        var telemetry = TelemetrySettings.Read(builder.Configuration, errors);
        var keepAlive = TcpKeepAliveSettings.Read(builder.Configuration, errors);
        if (errors.Count == 0 && ExecutorOptionsValidator.TryParseListenAddress(settings.ListenAddress, out var listen))
        {
            // Checked before anything registers builds: a build must never be announced at a port another process holds.
            errors.AddRange(new[]
            {
                PortAvailability.Check("Executor:LogStreamPort", listen, settings.LogStreamPort),
                health?.CheckAvailable(),
            }.OfType<string>());
        }

        StartupValidation.ThrowIfInvalid("executor", errors);
        builder.AddZuulTelemetry(ComponentIdentity.Executor, telemetry);

        var services = builder.Services;
        services.AddOptions<ExecutorOptions>()
            .Bind(builder.Configuration.GetSection(ExecutorOptions.SectionName))
            .PostConfigure(ApplyDefaults)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ExecutorOptions>, ExecutorOptionsValidator>();

        // The log streamer must listen even while the cluster is unreachable: start Kestrel and the Orleans client side by side.
        services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<LogWatchRegistry>();
        services.AddSingleton<ConnectionLedger>();
        services.AddSingleton(sp => new ConnectionLimiter("log streamer", sp.GetRequiredService<IOptions<ExecutorOptions>>().Value.Limits,
            sp.GetRequiredService<ZuulMetrics>(), new RefusalLog(sp.GetRequiredService<ILogger<ConnectionLimiter>>(), TimeProvider.System, RefusalLog.DefaultInterval)));
        services.AddSingleton<LogStreamEndpoint>();
        services.AddSingleton<BuildReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<BuildReporter>());
        services.AddSingleton<JobRootWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<JobRootWatcher>());
        if (settings.Demo)
        {
            services.AddHostedService<DemoBuildRunner>();
        }

        if (settings.RegisterBuilds)
        {
            builder.AddZuulClusterClient();
            services.AddSingleton<IClientConnectionRetryFilter, ClusterConnectionRetryFilter>();
            services.AddSingleton<IClusterConnectionStatusObserver, ClusterReconnectObserver>();
            services.TryAddSingleton<IBuildRegistrar, OrleansBuildRegistrar>();
            services.AddHostedService<ExecutorLiveness>();
        }
        else
        {
            services.TryAddSingleton<IBuildRegistrar, LoggingBuildRegistrar>();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var o = kestrel.ApplicationServices.GetRequiredService<IOptions<ExecutorOptions>>().Value;
            ExecutorOptionsValidator.TryParseListenAddress(o.ListenAddress, out var address);
            var access = new ClientAccessMiddleware(
                new ClientNetworks(o.AllowedClients),
                kestrel.ApplicationServices.GetRequiredService<ConnectionLedger>(),
                kestrel.ApplicationServices.GetRequiredService<ZuulMetrics>(),
                kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger<LogStreamConnectionHandler>());
            var limits = new RelayListenerMiddleware(kestrel.ApplicationServices.GetRequiredService<ConnectionLimiter>(), keepAlive, replyInPlaintext: true);
            kestrel.Listen(address, o.LogStreamPort, listen =>
            {
                listen.Use(next => connection => access.OnConnectionAsync(connection, next));
                listen.Use(next => connection => limits.OnConnectionAsync(connection, next));
                listen.UseConnectionHandler<LogStreamConnectionHandler>();
            });
            if (health is not null)
            {
                kestrel.Listen(health.Address, health.Port, l => l.Protocols = HttpProtocols.Http1);
            }
        });

        configure?.Invoke(builder);
        var app = builder.Build();
        if (health is not null)
        {
            // Only on the health listener: the log streamer's port speaks finger, not HTTP.
            app.MapZuulHealth().RequireHost(health.RequiredHost);
            app.MapZuulMetrics().RequireHost(health.RequiredHost);
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var o = app.Services.GetRequiredService<IOptions<ExecutorOptions>>().Value;
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Zuul.LiveLog.Executor.ExecutorApp");
            LogInformationListening(logger, o.ListenAddress, app.GetLogStreamPort(), o.JobRoot, o.Demo, o.RegisterBuilds);
        });
        return app;
    }

    /// <summary>The port the log streamer actually listens on (useful with <c>Executor:LogStreamPort=0</c>); the app must have started.</summary>
    public static int GetLogStreamPort(this WebApplication app) =>
        BoundPorts.First(app.Services.GetRequiredService<IServer>(), "log streamer");

    /// <summary>Binds and completes <see cref="ExecutorOptions"/> the way the host does.</summary>
    public static ExecutorOptions ReadOptions(IConfiguration configuration)
    {
        var options = new ExecutorOptions();
        configuration.GetSection(ExecutorOptions.SectionName).Bind(options);
        ApplyDefaults(options);
        return options;
    }

    private static void ApplyDefaults(ExecutorOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.JobRoot))
        {
            options.JobRoot = options.Demo ? ExecutorOptions.DefaultDemoJobRoot() : null;
        }
        else if (options.JobRoot.IndexOfAny(Path.GetInvalidPathChars()) < 0)
        {
            options.JobRoot = Path.GetFullPath(options.JobRoot);
        }

        if (string.IsNullOrWhiteSpace(options.Hostname))
        {
            options.Hostname = System.Net.Dns.GetHostName();
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Log streamer listening on {ListenAddress}:{Port}; job root {JobRoot}; demo {Demo}; registering builds {RegisterBuilds}")]
    private static partial void LogInformationListening(ILogger logger, string listenAddress, int port, string? jobRoot, bool demo, bool registerBuilds);
}
