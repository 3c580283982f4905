using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

public sealed class RetryTests
{
    private static readonly ZooKeeperRetryPolicy Fast = new() { MaxAttempts = 5, InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(4) };

    [Fact]
    public async Task RetriesTransientFailuresUntilSuccess()
    {
        var attempts = 0;
        var result = await ZooKeeperRetry.RunAsync(_ => ++attempts < 3 ? throw new ConnectionLossException("/p") : Task.FromResult(42), Fast);
        Assert.Equal(42, result);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task DoesNotRetryOtherErrors()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<NoNodeException>(() => ZooKeeperRetry.RunAsync(_ =>
        {
            attempts++;
            throw new NoNodeException("/p");
        }, Fast));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task GivesUpAfterMaxAttempts()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<OperationTimeoutException>(() => ZooKeeperRetry.RunAsync<int>(_ =>
        {
            attempts++;
            throw new OperationTimeoutException();
        }, Fast));
        Assert.Equal(5, attempts);
    }

    [Fact]
    public async Task StopsAtTheDeadline()
    {
        var attempts = 0;
        var policy = new ZooKeeperRetryPolicy { MaxAttempts = 1000, InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(50), Deadline = TimeSpan.FromMilliseconds(120) };
        await Assert.ThrowsAsync<ConnectionLossException>(() => ZooKeeperRetry.RunAsync<int>(_ =>
        {
            attempts++;
            throw new ConnectionLossException();
        }, policy));
        Assert.InRange(attempts, 2, 6);
    }
}
