using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// Appends every log line to one file; the ZooKeeper tests use it when ZK_TEST_LOG names a file, for post-mortems
/// of timing-dependent failures.
/// </summary>
public sealed class FileLoggerFactory(string path) : ILoggerFactory
{
    private readonly Lock _lock = new();

    public static ILoggerFactory? FromEnvironment() =>
        Environment.GetEnvironmentVariable("ZK_TEST_LOG") is { Length: > 0 } path ? new FileLoggerFactory(path) : null;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_lock)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }

    private sealed class FileLogger(FileLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {category} {logLevel} {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
    }
}
