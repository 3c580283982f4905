using System.IO.Pipelines;
using System.Text;
using Zuul.LiveLog.Finger;

namespace Zuul.LiveLog.Tests.Finger;

public sealed class FingerRequestReaderTests
{
    private const string Id = "0123456789abcdef0123456789abcdef";

    private static async Task<(FingerRequest Request, Pipe Pipe)> ReadAsync(byte[] input, bool complete = false, TimeSpan? timeout = null)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(input);
        if (complete)
        {
            await pipe.Writer.CompleteAsync();
        }

        var request = await FingerRequestReader.ReadAsync(pipe.Reader, timeout ?? TimeSpan.FromSeconds(10), CancellationToken.None);
        return (request, pipe);
    }

    private static async Task<FingerRequest> ReadAsync(string input) => (await ReadAsync(Encoding.Latin1.GetBytes(input))).Request;

    [Theory]
    [InlineData(Id + "\n")]
    [InlineData(Id + "\r\n")]
    [InlineData(Id + " \t\r\n")]
    [InlineData("/W " + Id + "\r\n")]
    [InlineData("/W   " + Id + "\n")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF\n")]
    [InlineData("01234567-89ab-cdef-0123-456789abcdef\r\n")]
    [InlineData("/W 01234567-89AB-CDEF-0123-456789ABCDEF\r\n")]
    public async Task ValidRequestsAreNormalisedToZuulsForm(string line)
    {
        var request = await ReadAsync(line);
        Assert.Equal(FingerRequestStatus.Ok, request.Status);
        Assert.Equal(Id, request.BuildId);
    }

    [Theory]
    [InlineData("\n", "")]
    [InlineData("/W\n", "")]
    [InlineData("abc\n", "abc")]
    [InlineData("../../etc/passwd\n", "../../etc/passwd")]
    [InlineData("/W ../../etc/passwd\r\n", "../../etc/passwd")]
    [InlineData("0123456789abcdef0123456789abcdef/../x\n", "0123456789abcdef0123456789abcdef/../x")]
    [InlineData("0123456789abcdef0123456789abcde\n", "0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0\n", "0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789abcdef0123456789abcdeg\n", "0123456789abcdef0123456789abcdeg")]
    [InlineData("01234567-89ab-cdef-0123-456789abcde-\n", "01234567-89ab-cdef-0123-456789abcde-")]
    [InlineData("0123456789abcdef 0123456789abcdef\n", "0123456789abcdef 0123456789abcdef")]
    public async Task InvalidIdsAreRejectedAndEchoed(string line, string raw)
    {
        var request = await ReadAsync(line);
        Assert.Equal(FingerRequestStatus.InvalidBuildId, request.Status);
        Assert.Equal(raw, request.RawId);
        Assert.Equal(string.Empty, request.BuildId);
    }

    [Fact]
    public async Task GarbageBytesAreRejectedAndTheEchoIsPrintable()
    {
        var (request, _) = await ReadAsync([0x00, 0xff, 0x1b, (byte)'[', (byte)'2', (byte)'J', 0x07, 0xc3, 0xa9, (byte)'\n']);
        Assert.Equal(FingerRequestStatus.InvalidBuildId, request.Status);
        Assert.All(request.RawId, c => Assert.InRange(c, ' ', '~'));
    }

    [Fact]
    public async Task TheEchoedIdIsCapped()
    {
        var request = await ReadAsync(new string('x', 500) + "\n");
        Assert.Equal(FingerRequestStatus.InvalidBuildId, request.Status);
        Assert.True(request.RawId.Length <= 64);
    }

    [Fact]
    public async Task ALineOf1024BytesWithItsLineFeedIsAccepted()
    {
        var request = await ReadAsync(new string(' ', 1023 - Id.Length) + Id + "\n");
        Assert.Equal(FingerRequestStatus.Ok, request.Status);
        Assert.Equal(Id, request.BuildId);
    }

    [Fact]
    public async Task ALongerLineIsTooLong()
    {
        Assert.Equal(FingerRequestStatus.TooLong, (await ReadAsync(new string(' ', 1024 - Id.Length) + Id + "\n")).Status);
    }

    [Fact]
    public async Task ALineWithoutLineFeedIsTooLongAt1024Bytes()
    {
        var (request, _) = await ReadAsync(Encoding.ASCII.GetBytes(new string('a', 1024)));
        Assert.Equal(FingerRequestStatus.TooLong, request.Status);
    }

    [Fact]
    public async Task ATooLongLineSentInPiecesIsDetectedWithoutWaitingForTheTimeout()
    {
        var pipe = new Pipe();
        var read = FingerRequestReader.ReadAsync(pipe.Reader, TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        for (var i = 0; i < 11 && !read.IsCompleted; i++)
        {
            await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(new string('a', 100)));
        }

        var request = await read.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(FingerRequestStatus.TooLong, request.Status);
    }

    [Fact]
    public async Task ALineSplitAcrossWritesIsReassembled()
    {
        var pipe = new Pipe();
        var read = FingerRequestReader.ReadAsync(pipe.Reader, TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();
        foreach (var part in new[] { "/W 0123", "456789abcdef0123", "456789abcdef\r", "\n" })
        {
            await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(part));
        }

        var request = await read.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(FingerRequestStatus.Ok, request.Status);
        Assert.Equal(Id, request.BuildId);
    }

    [Fact]
    public async Task NoLineWithinTheTimeoutTimesOut()
    {
        var (request, _) = await ReadAsync(Encoding.ASCII.GetBytes("0123"), timeout: TimeSpan.FromMilliseconds(100));
        Assert.Equal(FingerRequestStatus.TimedOut, request.Status);
    }

    [Fact]
    public async Task CancellationByTheCallerIsNotATimeout()
    {
        var pipe = new Pipe();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await FingerRequestReader.ReadAsync(pipe.Reader, TimeSpan.FromSeconds(30), cts.Token));
    }

    [Fact]
    public async Task EofBeforeTheLineFeedIsClientClosed()
    {
        var (request, _) = await ReadAsync(Encoding.ASCII.GetBytes(Id), complete: true);
        Assert.Equal(FingerRequestStatus.ClientClosed, request.Status);
    }

    [Fact]
    public async Task BytesAfterTheLineStayInThePipe()
    {
        var (request, pipe) = await ReadAsync(Encoding.ASCII.GetBytes(Id + "\r\nextra"), complete: true);
        Assert.Equal(FingerRequestStatus.Ok, request.Status);
        var rest = await pipe.Reader.ReadAsync();
        Assert.Equal("extra", Encoding.ASCII.GetString(rest.Buffer));
    }

    [Fact]
    public void BuildIdNormalisesDashedUuids()
    {
        Assert.True(BuildId.TryNormalize("01234567-89AB-cdef-0123-456789abcdef", out var id));
        Assert.Equal(Id, id);
        Assert.False(BuildId.TryNormalize("0123456789-ab-cdef-0123-456789abcdef", out _));
        Assert.False(BuildId.TryNormalize("", out _));
    }
}
