using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>Keeps formatted log lines in memory so tests can assert that a component said something, or nothing bad.</summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _problems = new();

    /// <summary>Every line, as <c>{Level} {Category}: {Message}</c> and the exception's type, message and first frame.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Warnings and errors of our own components (<c>Zuul.LiveLog.*</c>), with event id and full exception.</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    /// <summary>Whether one logged line contains every one of <paramref name="parts"/>.</summary>
    public bool Contains(params string[] parts) => _lines.Any(l => parts.All(p => l.Contains(p, StringComparison.Ordinal)));

    /// <summary>Waits until a line contains <paramref name="part"/> and each of <paramref name="alsoInTheLine"/>; a timeout lists the last lines.</summary>
    public Task WaitForAsync(string part, string what, TimeSpan? timeout = null, params string[] alsoInTheLine) =>
        UntilAsync(() => Task.FromResult(Contains([part, .. alsoInTheLine])), what + $" (a log line containing '{part}')", timeout);

    /// <summary>
    /// Waits for <paramref name="condition"/>; a timeout lists our warnings and errors, the last lines logged and, when
    /// given, <paramref name="state"/>'s account of where the test stood.
    /// </summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<string>? state = null)
    {
        try
        {
            await Eventually.UntilAsync(condition, what, timeout);
        }
        catch (TimeoutException ex)
        {
            // Our warnings say why at 3 a.m.; the last lines say where it stood.
            throw new TimeoutException(ex.Message + (state is null ? string.Empty : Environment.NewLine + "State: " + state())
                + Environment.NewLine + "Our warnings and errors:" + Environment.NewLine + string.Join(Environment.NewLine, _problems.TakeLast(20))
                + Environment.NewLine + "Logged last:" + Environment.NewLine + string.Join(Environment.NewLine, _lines.TakeLast(40)));
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, LogCollector collector) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            collector._lines.Enqueue($"{logLevel} {category}: {message}"
                + (exception is null ? string.Empty : $" | {exception.GetType().Name}: {exception.Message} {exception.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}"));
            if (logLevel >= LogLevel.Warning && category.StartsWith("Zuul.LiveLog", StringComparison.Ordinal))
            {
                collector._problems.Enqueue($"{logLevel} {category}[{eventId.Id}] {message} {exception}");
            }
        }
    }
}
