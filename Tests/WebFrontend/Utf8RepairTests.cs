using System.Text;
using System.Text.Unicode;
using Zuul.LiveLog.WebFrontend;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>Invalid log bytes are replaced one for one, so a byte offset stays a valid resume point.</summary>
public sealed class Utf8RepairTests
{
    [Theory]
    [InlineData(new byte[] { 0x61, 0xFF, 0x62 }, "a?b")]
    [InlineData(new byte[] { 0xC3, 0x28 }, "?(")] // a lead byte without its continuation
    [InlineData(new byte[] { 0xE2, 0x82, 0x41 }, "??A")] // a three-byte sequence cut short
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, "???")] // an encoded surrogate
    [InlineData(new byte[] { 0xC3, 0xA9, 0x80 }, "é?")] // a stray continuation byte
    public void InvalidBytesBecomeOneQuestionMarkEach(byte[] input, string expected)
    {
        var repaired = Utf8Repair.ReplaceInvalid(input);
        Assert.Equal(input.Length, repaired.Length);
        Assert.True(Utf8.IsValid(repaired));
        Assert.Equal(expected, Encoding.UTF8.GetString(repaired));
    }

    [Fact]
    public void ValidTextIsUnchanged()
    {
        var text = Encoding.UTF8.GetBytes("\u001b[32mok\u001b[0m ünïcödé 😀\n");
        Assert.Equal(text, Utf8Repair.ReplaceInvalid(text));
    }
}
