using System.IO.Pipelines;

namespace Zuul.LiveLog.Hosting.OrleansTls;

/// <summary>
/// The connection's transport, noting in <see cref="TlsAttempt.Answered"/> when the peer's first bytes arrive.
/// With TLS 1.3 a server refuses a client certificate after the client finished its handshake, so on the client
/// "closed before answering" is how that refusal shows.
/// </summary>
internal sealed class AnswerWatchingPipe(IDuplexPipe inner, TlsAttempt attempt) : IDuplexPipe
{
    public PipeReader Input { get; } = new Reader(inner.Input, attempt);

    public PipeWriter Output => inner.Output;

    private sealed class Reader(PipeReader inner, TlsAttempt attempt) : PipeReader
    {
        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (!result.Buffer.IsEmpty)
            {
                attempt.Answered = true;
            }

            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            var read = inner.TryRead(out result);
            if (read && !result.Buffer.IsEmpty)
            {
                attempt.Answered = true;
            }

            return read;
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
