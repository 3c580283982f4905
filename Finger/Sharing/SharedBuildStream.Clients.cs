namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>The clients' side: what each does next, rejoining, and the hand-over of new bytes to those waiting.</summary>
public sealed partial class SharedBuildStream
{
    /// <summary>What a client's loop does next; parks it (in the list the reader serves) when there is nothing to send.</summary>
    internal Decision Decide(Subscription s, out long from, out long to, out bool final)
    {
        from = to = 0;
        final = false;
        lock (_gate)
        {
            if (s.StopRequested)
            {
                return s.IsCut ? Decision.Cut : Decision.Gone;
            }

            if (_state == StreamState.Closed)
            {
                return Decision.Failed; // shutting down: the connection ends
            }

            if (!s.Attached)
            {
                return Decision.Behind;
            }

            var window = _window!;
            var end = window.End;
            if (s.Position < window.Start)
            {
                s.Attached = false;
                _hub.LogFellBehind(this, s.Position, window.Start);
                return Decision.Behind;
            }

            // New bytes since the last offer; or, the log complete, the rest however it ends (a text sink's last character).
            if (s.Position < end && (end > s.Seen || _state == StreamState.Ended))
            {
                (from, to, final) = (s.Position, end, _state == StreamState.Ended);
                return Decision.Send;
            }

            switch (_state)
            {
                case StreamState.Ended:
                    return Decision.Ended;
                case StreamState.Failed:
                    return Decision.Failed;
            }

            s.PrepareToPark();
            _parked.Add(s);
            if (_readerWake is { } wake)
            {
                _readerWake = null;
                wake.SetResult();
            }

            return Decision.Parked;
        }
    }

    /// <summary>A client catching up reached the window: it reads from it again.</summary>
    internal bool TryRejoin(Subscription s)
    {
        lock (_gate)
        {
            if (_state is StreamState.Closed or StreamState.Failed)
            {
                return false; // it stays on its own upstream
            }

            if (s.Position < _window!.Start || s.Position > _window.End)
            {
                return false;
            }

            s.Attached = true;
            s.Seen = s.Position;
            _hub.CountRejoin();
            return true;
        }
    }

    internal Task<UpstreamOpening> OpenOwnUpstreamAsync(CancellationToken cancellationToken)
    {
        _hub.CountCatchUp();
        return _hub.Source.OpenAsync(BuildId, cancellationToken);
    }

    /// <summary>New bytes for the clients that waited: sent inline where the sink allows, their loops woken otherwise.</summary>
    private void Push(List<Subscription> waiting, FreshBytes fresh)
    {
        if (waiting.Count <= PushBatch)
        {
            PushRange(waiting, 0, waiting.Count, fresh);
            return;
        }

        // Two cores send to thousands of followers faster than one.
        for (var start = PushBatch; start < waiting.Count; start += PushBatch)
        {
            var (from, count) = (start, Math.Min(PushBatch, waiting.Count - start));
            ThreadPool.UnsafeQueueUserWorkItem(_ => PushRange(waiting, from, count, fresh), null);
        }

        PushRange(waiting, 0, PushBatch, fresh);
    }

    private void PushRange(List<Subscription> waiting, int from, int count, FreshBytes fresh)
    {
        for (var i = from; i < from + count; i++)
        {
            PushOne(waiting[i], fresh);
        }
    }

    private void PushOne(Subscription s, FreshBytes fresh)
    {
        if (!s.TryTakeForPush())
        {
            return; // woken meanwhile: its loop decides
        }

        if (!s.Sink.SendsInline)
        {
            s.WakeFromPush();
            return;
        }

        var window = _window!;
        while (true)
        {
            var to = window.End;
            if (to > s.Position && !s.StopRequested)
            {
                SinkProgress progress;
                try
                {
                    if (fresh.Bytes is { } bytes && s.Position == fresh.From)
                    {
                        to = fresh.From + bytes.Length;
                        progress = s.Sink.TrySend(bytes);
                    }
                    else
                    {
                        progress = s.Sink.TrySend(window, s.Position, to);
                    }
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
                {
                    progress = new SinkProgress(0, SinkStatus.Gone);
                }

                s.Advance(progress.Taken);
                s.Seen = to;
                if (progress.Status != SinkStatus.Taken)
                {
                    s.WakeFromPush(); // a full socket, a client gone or fallen behind: its loop takes over
                    return;
                }
            }

            lock (_gate)
            {
                if (window.End > s.Position && !s.StopRequested && _state != StreamState.Closed)
                {
                    continue; // more came meanwhile
                }

                if (s.StopRequested || _state != StreamState.Open)
                {
                    s.WakeFromPush();
                    return;
                }

                s.ParkAgain();
                _parked.Add(s);
                return;
            }
        }
    }

    /// <summary>Bytes just appended at <see cref="From"/>, read once for all the clients waiting there.</summary>
    private readonly record struct FreshBytes(long From, byte[]? Bytes);

    private void WakeAllParked()
    {
        foreach (var s in _parked)
        {
            s.WakeIfParked();
        }

        _parked = [];
        if (_readerWake is { } wake)
        {
            _readerWake = null;
            wake.SetResult();
        }
    }
}
