using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Session;

internal sealed class PendingRequest<T>(int opCode, string? path, byte[] frame, ReplyParser<T> parser, WatchRegistration? watch = null)
    : PendingRequest(opCode, path, frame, watch)
{
    // Continuations must not run on the receive loop, or one slow caller would stall every reply.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _cancellation;

    public Task<T> Task => _completion.Task;

    public override bool IsCompleted => _completion.Task.IsCompleted;

    /// <summary>A cancelled request that is not sent yet is skipped; one already sent still takes its reply slot.</summary>
    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.Register(
                static (state, token) => ((PendingRequest<T>)state!)._completion.TrySetCanceled(token),
                this);
        }
    }

    public override void Complete(int err, ref JuteReader body)
    {
        try
        {
            var result = parser(err, ref body);
            RegisterWatch(err);
            _completion.TrySetResult(result);
        }
        catch (ZooKeeperException exception)
        {
            RegisterWatch(err);
            _completion.TrySetException(exception);
        }
        catch (JuteException exception)
        {
            _completion.TrySetException(new MarshallingErrorException(Path, exception.Message));
        }
        catch (Exception exception)
        {
            // Whatever a parser throws belongs to its caller, never to the receive loop.
            _completion.TrySetException(exception);
        }
        finally
        {
            _cancellation.Dispose();
        }
    }

    public override void Fail(Exception exception)
    {
        _completion.TrySetException(exception);
        _cancellation.Dispose();
    }

    // Registered before the caller sees the result, so no notification can slip in between.
    private void RegisterWatch(int err)
    {
        if (!_completion.Task.IsCompleted)
        {
            Watch?.OnReply(err);
        }
    }
}
