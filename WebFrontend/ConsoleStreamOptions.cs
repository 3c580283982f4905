using Zuul.LiveLog.Hosting.Connections;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>The console-stream websockets' settings (section <c>WebFrontend</c>).</summary>
public sealed class ConsoleStreamOptions
{
    public const string Section = "WebFrontend";

    /// <summary>Time a client has to send its first message (<c>WebFrontend:ConsoleStreamRequestTimeout</c>); then it gets close 4000.</summary>
    public TimeSpan ConsoleStreamRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Console-stream websockets open at most (<c>WebFrontend:MaxConsoleStreams</c>); more get close 1013.</summary>
    public int MaxConsoleStreams { get; set; } = 10_000;

    /// <summary>Console-stream websockets one client address holds at most (<c>WebFrontend:MaxConsoleStreamsPerClient</c>; 0 = no limit).</summary>
    public int MaxConsoleStreamsPerClient { get; set; } = 100;

    public ConnectionLimits Limits => new(MaxConsoleStreams, MaxConsoleStreamsPerClient);

    /// <summary>Binds the section and adds every problem to <paramref name="errors"/>.</summary>
    public static ConsoleStreamOptions Read(IConfiguration configuration, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(errors);
        var options = new ConsoleStreamOptions();
        try
        {
            configuration.GetSection(Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{Section}: {ex.Message}");
            return options;
        }

        if (options.ConsoleStreamRequestTimeout <= TimeSpan.Zero || options.ConsoleStreamRequestTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Section}:{nameof(ConsoleStreamRequestTimeout)} must be more than 0 and at most 5 minutes (got {options.ConsoleStreamRequestTimeout}).");
        }

        foreach (var error in options.Limits.Validate(Section, nameof(MaxConsoleStreams), nameof(MaxConsoleStreamsPerClient)))
        {
            errors.Add(error);
        }

        return options;
    }
}
