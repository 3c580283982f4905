namespace Zuul.LiveLog.Finger.Splice;

/// <summary>
/// Kernel pipes lent to relays only while bytes flow: an idle follower holds none, so 10,000 idle streams do not
/// cost 20,000 more descriptors. When the most it may lend are out (or descriptors run out) a relay copies instead.
/// </summary>
internal sealed class KernelPipePool(int pipeCapacity, int maxIdle, int maxLent)
{
    public static readonly KernelPipePool Shared = new(1 << 20, Math.Max(4, Environment.ProcessorCount * 2), 256);

    private readonly Stack<KernelPipe> _idle = new();
    private int _lent;

    /// <summary>Pipes out on loan right now.</summary>
    public int Lent
    {
        get
        {
            lock (_idle)
            {
                return _lent;
            }
        }
    }

    /// <summary>An empty pipe, or null when none may be lent now.</summary>
    public KernelPipe? Rent()
    {
        lock (_idle)
        {
            if (_lent >= maxLent)
            {
                return null;
            }

            _lent++;
            if (_idle.TryPop(out var pipe))
            {
                return pipe;
            }
        }

        var created = KernelPipe.TryCreate(pipeCapacity);
        if (created is null)
        {
            lock (_idle)
            {
                _lent--;
            }
        }

        return created;
    }

    /// <summary>Takes a pipe back; one that may still hold bytes (<paramref name="empty"/> false) is closed instead.</summary>
    public void Return(KernelPipe pipe, bool empty)
    {
        lock (_idle)
        {
            _lent--;
            if (empty && _idle.Count < maxIdle)
            {
                _idle.Push(pipe);
                return;
            }
        }

        pipe.Dispose();
    }
}
