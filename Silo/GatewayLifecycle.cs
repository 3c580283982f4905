using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Silo;

/// <summary>The gateway's own state (PROTOCOL.md section 5), shared by the listener and the registration.</summary>
internal sealed class GatewayLifecycle : IDisposable
{
    private readonly CancellationTokenSource _drainExpired = new();
    private volatile GatewayState _state = GatewayState.Initializing;

    public GatewayState State => _state;

    /// <summary>The port the listener actually bound (known once Kestrel started).</summary>
    public int BoundPort { get; set; }

    /// <summary>Cancelled when a stopping gateway's drain time is over: relays still running are reset then.</summary>
    public CancellationToken DrainExpired => _drainExpired.Token;

    public void Set(GatewayState state) => _state = state;

    /// <summary>Starts the drain clock (<c>FingerGateway:DrainTime</c>).</summary>
    public void StartDrain(TimeSpan drainTime, TimeProvider time)
    {
        if (drainTime <= TimeSpan.Zero)
        {
            _drainExpired.Cancel();
            return;
        }

        // A timer of the given clock, so tests can drive it; the CTS outlives it (disposed with the lifecycle).
        var timer = time.CreateTimer(_ => Expire(), null, drainTime, Timeout.InfiniteTimeSpan);
        _drainExpired.Token.Register(timer.Dispose);
    }

    public void Dispose() => _drainExpired.Dispose();

    private void Expire()
    {
        try
        {
            _drainExpired.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Stopped already.
        }
    }
}
