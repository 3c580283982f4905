namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>Waits for a condition with a deadline and a message, instead of sleeping and hoping.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task UntilAsync(Func<Task<bool>> condition, string message, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var delay = 5;
        while (!await condition())
        {
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Condition not met within {limit.TotalSeconds:0.#} s: {message}");
            }

            // Quick first checks for conditions that are nearly true, then at most every 100 ms.
            await Task.Delay(delay);
            delay = Math.Min(delay * 2, 100);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string message, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), message, timeout);

    /// <summary>Awaits <paramref name="task"/> or fails with <paramref name="message"/> after the timeout.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, string message, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Not completed within {timeout ?? DefaultTimeout}: {message}");
        }
    }

    public static async Task WithinAsync(Task task, string message, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Not completed within {timeout ?? DefaultTimeout}: {message}");
        }
    }
}
