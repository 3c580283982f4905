using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Finger.Sharing;

namespace Zuul.LiveLog.Streams;

/// <summary>Shared upstreams (section <c>SharedStreams</c>) for the finger gateway and the web frontend alike.</summary>
public static class SharedStreamsHosting
{
    /// <summary>Reads the settings; their problems go to <paramref name="errors"/> (start-up lists them all at once).</summary>
    public static SharedStreamOptions ReadSharedStreamOptions(this IConfiguration configuration, List<string> errors)
    {
        var options = new SharedStreamOptions();
        try
        {
            configuration.GetSection(SharedStreamOptions.Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{SharedStreamOptions.Section}: {ex.Message}");
            return options;
        }

        errors.AddRange(SharedStreamOptions.Validate(options));
        return options;
    }

    /// <summary>The process's hub of shared streams over the stream opener.</summary>
    public static IServiceCollection AddSharedStreams(this IServiceCollection services, SharedStreamOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<IUpstreamSource, OpenerUpstreamSource>();
        services.AddSingleton(sp => new SharedStreamHub(sp.GetRequiredService<IUpstreamSource>(), options, sp.GetRequiredService<ILogger<SharedStreamHub>>()));
        return services;
    }
}
