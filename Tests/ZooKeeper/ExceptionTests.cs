using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

public sealed class ExceptionTests
{
    public static TheoryData<ZooKeeperErrorCode> Codes()
    {
        var data = new TheoryData<ZooKeeperErrorCode>();
        foreach (var code in Enum.GetValues<ZooKeeperErrorCode>().Where(c => c != ZooKeeperErrorCode.Ok))
        {
            data.Add(code);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void EveryCodeHasItsOwnExceptionType(ZooKeeperErrorCode code)
    {
        var exception = ZooKeeperException.Create(code, "/path");
        Assert.Equal(code, exception.Code);
        Assert.Equal("/path", exception.Path);
        Assert.Equal(code + "Exception", exception.GetType().Name);
        Assert.Contains("/path", exception.Message);
    }

    [Fact]
    public void UnknownCodeStillCarriesTheCode()
    {
        var exception = ZooKeeperException.Create((ZooKeeperErrorCode)(-999), null);
        Assert.IsType<UnknownErrorException>(exception);
        Assert.Equal(-999, (int)exception.Code);
    }

    [Fact]
    public void DigestIdMatchesTheServersFormat()
    {
        // DigestAuthenticationProvider.generateDigest("super:test")
        Assert.Equal("super:D/InIHSb7yEEbrWz8b9l71RjZJU=", Acl.DigestId("super", "test"));
    }
}
