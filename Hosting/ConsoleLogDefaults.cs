using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;

namespace Zuul.LiveLog.Hosting;

/// <summary>
/// Console log lines carry a UTC timestamp unless <c>Logging:Console:FormatterOptions:TimestampFormat</c> says otherwise:
/// the logs of <c>scripts/run-*.sh</c> and of plain <c>dotnet run</c> have no other clock, and a 3 a.m. reader needs one
/// to line the components' logs up.
/// </summary>
public static class ConsoleLogDefaults
{
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";

    public static IServiceCollection AddConsoleLogDefaults(this IServiceCollection services) =>
        // Post-configured, so a configured format (even an empty one) wins.
        services.PostConfigure<SimpleConsoleFormatterOptions>(o =>
        {
            if (o.TimestampFormat is null)
            {
                o.TimestampFormat = TimestampFormat;
                o.UseUtcTimestamp = true;
            }
        });
}
