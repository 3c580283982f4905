namespace Zuul.LiveLog.Hosting;

/// <summary>Start-up stopped because of invalid settings; the message lists every problem at once.</summary>
public sealed class OptionsStartupException(IReadOnlyList<string> errors)
    : Exception("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
