using System.Text;
using Zuul.LiveLog.WebFrontend;

namespace Zuul.LiveLog.Tests.WebFrontend;

public class Utf8BoundaryTests
{
    [Theory]
    [InlineData("plain ascii")]
    [InlineData("é")]
    [InlineData("€uro")]
    [InlineData("😀 grin")]
    public void CompleteTextIsKeptWhole(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal(bytes.Length, Utf8Boundary.CompleteLength(bytes));
    }

    [Theory]
    [InlineData("aé", 1)]
    [InlineData("a€", 1)]
    [InlineData("a€", 2)]
    [InlineData("a😀", 1)]
    [InlineData("a😀", 2)]
    [InlineData("a😀", 3)]
    public void UnfinishedCharacterIsHeldBack(string text, int cut)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal(1, Utf8Boundary.CompleteLength(bytes.AsSpan(0, 1 + cut)));
    }

    [Fact]
    public void EverySplitOfAMixedTextReassemblesExactly()
    {
        var bytes = Encoding.UTF8.GetBytes("ab€c😀dé\u001b[32mok\u001b[0m");
        for (var split = 0; split <= bytes.Length; split++)
        {
            var head = Utf8Boundary.CompleteLength(bytes.AsSpan(0, split));
            Assert.True(head <= split);
            Assert.True(split - head <= 3);
            var first = Encoding.UTF8.GetString(bytes, 0, head);
            var rest = Encoding.UTF8.GetString(bytes, head, bytes.Length - head);
            Assert.Equal(Encoding.UTF8.GetString(bytes), first + rest);
            Assert.DoesNotContain('\uFFFD', first);
        }
    }
}
