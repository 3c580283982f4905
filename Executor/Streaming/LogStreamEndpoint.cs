using Microsoft.AspNetCore.Hosting.Server;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Executor;

/// <summary>The address the log streamer actually bound (port 0 in the settings = a free port chosen at start).</summary>
public sealed class LogStreamEndpoint(IServer server)
{
    /// <summary>The bound port; throws before the server has started.</summary>
    public int Port => BoundPorts.First(server, "log streamer");
}
