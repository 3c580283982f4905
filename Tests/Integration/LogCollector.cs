using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Orleans.Zuul.Tests.Integration;

/// <summary>Keeps formatted log lines in memory so tests can assert that a component said something.</summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Whether one logged line contains every one of <paramref name="parts"/>.</summary>
    public bool Contains(params string[] parts) => _lines.Any(l => parts.All(p => l.Contains(p, StringComparison.Ordinal)));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}"
                + (exception is null ? string.Empty : $" | {exception.GetType().Name}: {exception.Message} {exception.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}"));
    }
}
