using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Silo;

/// <summary>The gateway's own state (PROTOCOL.md section 5), shared by the listener and the registration.</summary>
internal sealed class GatewayLifecycle
{
    private volatile GatewayState _state = GatewayState.Initializing;

    public GatewayState State => _state;

    /// <summary>The port the listener actually bound (known once Kestrel started).</summary>
    public int BoundPort { get; set; }

    public void Set(GatewayState state) => _state = state;
}
