using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Tests.Hosting;

public sealed class ConsoleLogDefaultsTests
{
    [Theory]
    [InlineData("silo")]
    [InlineData("web")]
    [InlineData("executor")]
    public async Task ConsoleLinesCarryAUtcTimestampByDefault(string component)
    {
        await using var app = Build(component, []);
        var options = app.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;
        Assert.Equal(ConsoleLogDefaults.TimestampFormat, options.TimestampFormat);
        Assert.True(options.UseUtcTimestamp);
        // Without a formatter name the console provider ignores the options above (the web frontend's lines had no time).
        Assert.Equal(ConsoleFormatterNames.Simple, app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public async Task AConfiguredFormatWins()
    {
        await using var app = Build("silo", ["--Logging:Console:FormatterOptions:TimestampFormat", "HH:mm:ss "]);
        var options = app.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;
        Assert.Equal("HH:mm:ss ", options.TimestampFormat);
        Assert.False(options.UseUtcTimestamp);
    }

    private static Microsoft.AspNetCore.Builder.WebApplication Build(string component, string[] args) => component switch
    {
        "silo" => Zuul.LiveLog.Silo.SiloApp.Build(args),
        "web" => Zuul.LiveLog.WebFrontend.WebFrontendApp.Build(args),
        _ => Zuul.LiveLog.Executor.ExecutorApp.Build(["--Executor:JobRoot", Path.GetTempPath(), .. args]),
    };
}
