using System.IO.Pipelines;

namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>A finger client on a shared stream: the subscription brings the log, what the client sends is read and dropped, its end ends the stream.</summary>
public static class SharedRelay
{
    public static async Task<ShareResult> RunAsync(Subscription subscription, PipeReader clientInput, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = subscription.RunAsync(cts.Token);
        var drain = FingerRelay.DrainClientAsync(clientInput, cts.Token);
        var first = await Task.WhenAny(run, drain).ConfigureAwait(false);
        var clientLeft = first == drain && !cancellationToken.IsCancellationRequested;
        if (clientLeft)
        {
            // EOF from the client ends its stream (PROTOCOL.md section 1), a send waiting on its socket included.
            await cts.CancelAsync().ConfigureAwait(false);
        }

        var result = await run.ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        await drain.ConfigureAwait(false);
        return clientLeft && result.Outcome is ShareOutcome.Cancelled or ShareOutcome.ClientGone ? result with { Outcome = ShareOutcome.ClientGone } : result;
    }
}
