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
        services
            // Post-configured, so a configured format (even an empty one) wins.
            .PostConfigure<SimpleConsoleFormatterOptions>(o =>
            {
                if (o.TimestampFormat is null)
                {
                    o.TimestampFormat = TimestampFormat;
                    o.UseUtcTimestamp = true;
                }
            })
            // WebApplication.CreateBuilder (the web frontend's) adds the console logger without a formatter name, and the
            // console provider then replaces the simple formatter's options with ConsoleLoggerOptions' obsolete copies
            // (no timestamp). Naming the formatter makes it use the options above, as the slim builder's does.
            .PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName ??= ConsoleFormatterNames.Simple);
}
