using System.IO.Pipelines;
using Zuul.LiveLog.Finger.Sharing;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// The HTTP log response on a shared stream: the window's bytes straight into the response's pipe, as they are, but
/// only whole characters until the log ends, so that wherever the response is cut the websocket can go on.
/// </summary>
internal sealed class HttpLogSink(PipeWriter body) : PipeSink(body)
{
    protected override int Complete(ReadOnlySpan<byte> bytes) => Utf8Boundary.CompleteLength(bytes);
}
