namespace Orleans.Zuul.Tests.Executor;

/// <summary>Deadline-bounded waiting for the executor tests: poll a condition, never sleep and hope.</summary>
internal static class ExecutorTestHelpers
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds, or fails the test after <paramref name="deadline"/>.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null) =>
        Infrastructure.Eventually.UntilAsync(condition, what, deadline ?? DefaultDeadline);

    /// <summary>Awaits <paramref name="task"/>, failing the test after <paramref name="deadline"/>.</summary>
    public static async Task<T> WithDeadline<T>(this Task<T> task, string what, TimeSpan? deadline = null)
    {
        var limit = deadline ?? DefaultDeadline;
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}");
            throw;
        }
    }

    /// <summary>Awaits <paramref name="task"/>, failing the test after <paramref name="deadline"/>.</summary>
    public static async Task WithDeadline(this Task task, string what, TimeSpan? deadline = null)
    {
        var limit = deadline ?? DefaultDeadline;
        try
        {
            await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}");
        }
    }
}
