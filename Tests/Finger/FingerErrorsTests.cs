using System.Text;
using Zuul.LiveLog.Finger;

namespace Zuul.LiveLog.Tests.Finger;

/// <summary>Telling our error lines from a log's first bytes, the check a resumed stream's skip makes.</summary>
public sealed class FingerErrorsTests
{
    private const string Id = "7d26d6b575424c2990da62ff541c0b06";

    [Theory]
    [InlineData("Build ID 7d26d6b575424c2990da62ff541c0b06 not found\n")]
    [InlineData("Log not found for build ID 7d26d6b575424c2990da62ff541c0b06\n")]
    [InlineData("Internal error while resolving build ID 7d26d6b575424c2990da62ff541c0b06\n")]
    [InlineData("The log stream of build ID 7d26d6b575424c2990da62ff541c0b06 ended before the build finished (refused by 10.0.0.1:7900)\n")]
    [InlineData("Build ID 7d26d6b575424c2990da62ff541c0b06 runs in zone b, which has no reachable finger gateway\n")]
    [InlineData("Finger gateway is shutting down, try again\n")]
    [InlineData("Too many connections, try again later\n")]
    public void AnErrorLineOrItsFirstTwentyBytesAreAnErrorReply(string line)
    {
        Assert.True(FingerErrors.IsErrorReply(Encoding.ASCII.GetBytes(line), Id));
        Assert.True(FingerErrors.IsErrorReply(Encoding.ASCII.GetBytes(line)[..20], Id));
        Assert.True(FingerErrors.IsErrorReply(Encoding.ASCII.GetBytes(line + "more"), Id));
    }

    [Theory]
    [InlineData("2026-12-02 04:55:24.160000 | Job console starting\n")]
    [InlineData("Build ID 0000000000000000000000000000000a not found\n")] // another build's line
    [InlineData("Build ID 7d26")] // too short to tell
    [InlineData("Build ID 7d26d6b575424c2990da62ff541c0b06 passed\n")]
    public void ALogsFirstBytesAreNot(string first) =>
        Assert.False(FingerErrors.IsErrorReply(Encoding.ASCII.GetBytes(first), Id));
}
