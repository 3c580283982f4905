namespace Zuul.LiveLog.Streams;

/// <summary>Disposes the stream of an <see cref="OpenedStream"/>, if one was opened.</summary>
public readonly struct OpenedStreamScope(OpenedStream value) : IAsyncDisposable
{
    public OpenedStream Value { get; } = value;

    public ValueTask DisposeAsync() => Value.Stream?.DisposeAsync() ?? ValueTask.CompletedTask;
}
