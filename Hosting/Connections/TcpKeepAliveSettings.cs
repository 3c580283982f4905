using Microsoft.Extensions.Configuration;
using Zuul.LiveLog.Finger;

namespace Zuul.LiveLog.Hosting.Connections;

/// <summary>Reads the process's <c>TcpKeepAlive</c> section (every component has one, for all its relay sockets).</summary>
public static class TcpKeepAliveSettings
{
    /// <summary>The section bound and checked; problems are added to <paramref name="errors"/>.</summary>
    public static TcpKeepAliveOptions Read(IConfiguration configuration, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(errors);
        var options = new TcpKeepAliveOptions();
        try
        {
            configuration.GetSection(TcpKeepAliveOptions.Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{TcpKeepAliveOptions.Section}: {ex.Message}");
            return options;
        }

        foreach (var error in TcpKeepAlive.Validate(TcpKeepAliveOptions.Section, options))
        {
            errors.Add(error);
        }

        return options;
    }
}
