using Zuul.LiveLog.Finger.Sharing;

namespace Zuul.LiveLog.Streams;

/// <summary>
/// The shared streams' upstreams come from the stream opener (resolved through the cluster with this process's zone),
/// and their ends are judged by the <see cref="StreamResumer"/> as a plain relay's are: the end of a build's shared
/// upstream is the build's end only when the build finished; otherwise it resumes by offset within the resume window,
/// and every client of the shared stream goes on from the same bytes.
/// </summary>
public sealed class OpenerUpstreamSource(BuildStreamOpener opener, StreamResumer resumer) : IUpstreamSource
{
    public async Task<UpstreamOpening> OpenAsync(string buildId, CancellationToken cancellationToken)
    {
        var opened = await opener.OpenAsync(buildId, cancellationToken).ConfigureAwait(false);
        return new UpstreamOpening(opened.Stream, opened.Message, opened.Target, opened.Failure)
        {
            Hop = opened.Ok ? opened.Hop : null,
            Continuation = opened.Ok ? new ResumingContinuation(resumer.Begin(buildId, opened)) : null,
        };
    }

    public Task<bool> WasRefusedAsync(string buildId, long bytes) => opener.WasRefusedAsync(buildId, bytes);

    public string RefusedMessage(string buildId, string target) => BuildStreamOpener.RefusedMessage(buildId, target);

    private sealed class ResumingContinuation(StreamResumer.Continuation continuation) : IUpstreamContinuation
    {
        public async Task<UpstreamNext> NextAsync(long delivered, Exception? error, CancellationToken cancellationToken)
        {
            var next = await continuation.NextAsync(delivered, error, cancellationToken).ConfigureAwait(false);
            return next.Outcome switch
            {
                ResumeOutcome.Resumed => new UpstreamNext(next.Stream, next.Target, null),
                ResumeOutcome.BuildFinished => UpstreamNext.BuildFinished,
                _ => new UpstreamNext(null, null, next.Problem ?? "not resumed"),
            };
        }
    }
}
