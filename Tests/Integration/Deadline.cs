namespace Orleans.Zuul.Tests.Integration;

/// <summary>Waits for a condition with a deadline, failing with a message that says what did not happen.</summary>
internal static class Deadline
{
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Infrastructure.Eventually.UntilAsync(condition, what, timeout);

    /// <summary>Like <see cref="UntilAsync(Func{bool}, TimeSpan, string)"/>, adding the collected logs to the failure.</summary>
    public static async Task UntilLoggedAsync(LogCollector logs, string part, TimeSpan timeout, string what, params string[] alsoInTheLine)
    {
        try
        {
            await UntilAsync(() => logs.Contains([part, .. alsoInTheLine]), timeout, what + $" (a log line containing '{part}')");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + Environment.NewLine + "Logged:" + Environment.NewLine + string.Join(Environment.NewLine, logs.Lines.TakeLast(40)));
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);
}
