using System.Text;
using Zuul.LiveLog.WebFrontend;

namespace Zuul.LiveLog.Tests.WebFrontend;

public class ConsoleStreamRequestTests
{
    private static ConsoleStreamRequest? Parse(string json, out string error) =>
        ConsoleStreamRequest.TryParse(Encoding.UTF8.GetBytes(json), out error);

    [Fact]
    public void ZuulsMessageParses()
    {
        var r = Parse("{\"uuid\": \"0123456789ABCDEF0123456789abcdef\", \"logfile\": \"console.log\"}", out _);
        Assert.NotNull(r);
        Assert.Equal(new ConsoleStreamRequest("0123456789abcdef0123456789abcdef", 0), r);
    }

    [Fact]
    public void OffsetAndDashedUuidAreAccepted()
    {
        var r = Parse("{\"uuid\": \"01234567-89ab-cdef-0123-456789abcdef\", \"offset\": 42}", out _);
        Assert.Equal(("0123456789abcdef0123456789abcdef", 42L), (r!.Uuid, r.Offset));
    }

    [Theory]
    [InlineData("not json", "JSON")]
    [InlineData("[1,2]", "JSON")]
    [InlineData("{}", "uuid")]
    [InlineData("{\"uuid\": \"\"}", "uuid")]
    [InlineData("{\"uuid\": \"../../etc/passwd\"}", "valid build id")]
    [InlineData("{\"uuid\": 12}", "JSON")]
    [InlineData("{\"uuid\": \"0123456789abcdef0123456789abcdef\", \"offset\": -1}", "negative")]
    public void BadRequestsSayWhy(string json, string reasonPart)
    {
        Assert.Null(Parse(json, out var error));
        Assert.Contains(reasonPart, error, StringComparison.Ordinal);
    }
}
