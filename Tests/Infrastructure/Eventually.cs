namespace Orleans.Zuul.Tests.Infrastructure;

/// <summary>Waits for a condition with a deadline and a message, instead of sleeping and hoping.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task UntilAsync(Func<Task<bool>> condition, string message, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met within {timeout ?? DefaultTimeout}: {message}");
            }

            await Task.Delay(25);
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
