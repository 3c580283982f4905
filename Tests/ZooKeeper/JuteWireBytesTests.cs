using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Jute;
using Zuul.LiveLog.ZooKeeper.Protocol;

namespace Zuul.LiveLog.Tests.ZooKeeper;

/// <summary>
/// Every record kind the client sends or reads, against the bytes ZooKeeper's own Java classes write for the same
/// values: our encoder must produce them, and our decoder must read them back (re-encoding to the same bytes).
/// </summary>
/// <remarks>
/// The hex literals were produced once with Java 17 and Debian's ZooKeeper 3.8.0 jars (<c>/usr/share/java/zookeeper.jar</c>,
/// <c>zookeeper-jute.jar</c>): a small program built each record below with the same values in
/// <c>org.apache.zookeeper.proto.*</c> / <c>org.apache.zookeeper.data.*</c> (multis with <c>MultiOperationRecord</c> and
/// <c>MultiResponse</c>, digest ids with <c>DigestAuthenticationProvider.generateDigest</c>), serialized it with
/// <c>BinaryOutputArchive</c> and printed the bytes as hex. The connect request and response get the read-only flag
/// written after the record, as <c>ClientCnxnSocket</c> and the server do. The Java program is not kept: the bytes are
/// the contract, and they do not change.
/// </remarks>
public sealed class JuteWireBytesTests
{
    private static readonly Stat SampleStat = new(1, 2, 1_700_000_000_000, 1_700_000_000_001, 3, 4, 5, 0x1234_5678_9abc, 6, 7, 8);

    [Fact]
    public void StatMatchesJava() => AssertJavaBytes(
        SampleStat,
        "000000000000000100000000000000020000018bcfe568000000018bcfe5680100000003000000040000000500001234" +
            "56789abc00000006000000070000000000000008");

    [Fact]
    public void IdMatchesJava() => AssertJavaBytes(
        new Id("digest", "alice:abc="),
        "000000066469676573740000000a616c6963653a6162633d");

    [Fact]
    public void AclMatchesJava() => AssertJavaBytes(
        new Acl(Permissions.Read | Permissions.Admin, Id.AnyoneUnsafe),
        "0000001100000005776f726c6400000006616e796f6e65");

    [Fact]
    public void ConnectRequestMatchesJava() => AssertJavaBytes(
        new ConnectRequest(0, 0x10, 4000, 0x7f, new byte[16], false),
        "00000000000000000000001000000fa0000000000000007f000000100000000000000000000000000000000000");

    [Fact]
    public void ConnectResponseMatchesJava() => AssertJavaBytes(
        new ConnectResponse(0, 4000, 0x7f, [1, 2, 3], false),
        "0000000000000fa0000000000000007f0000000301020300");

    [Fact]
    public void RequestHeaderMatchesJava() => AssertJavaBytes(
        new RequestHeader(42, OpCode.GetData),
        "0000002a00000004");

    [Fact]
    public void ReplyHeaderMatchesJava() => AssertJavaBytes(
        new ReplyHeader(-1, 0x1_0000_0001, (int)ZooKeeperErrorCode.NoNode),
        "ffffffff0000000100000001ffffff9b");

    [Fact]
    public void MultiHeaderMatchesJava() => AssertJavaBytes(
        new MultiHeader(OpCode.Create, false, -1),
        "0000000100ffffffff");

    [Fact]
    public void AuthPacketMatchesJava() => AssertJavaBytes(
        new AuthPacket(0, "digest", "u:p"u8.ToArray()),
        "000000000000000664696765737400000003753a70");

    [Fact]
    public void SetWatchesMatchesJava() => AssertJavaBytes(
        new SetWatches(99, ["/a", "/b"], ["/c"], []),
        "000000000000006300000002000000022f61000000022f6200000001000000022f6300000000");

    [Fact]
    public void GetDataRequestMatchesJava() => AssertJavaBytes(
        new GetDataRequest("/p", true),
        "000000022f7001");

    [Fact]
    public void ExistsRequestMatchesJava() => AssertJavaBytes(
        new ExistsRequest("/p", false),
        "000000022f7000");

    [Fact]
    public void GetChildren2RequestMatchesJava() => AssertJavaBytes(
        new GetChildren2Request("/p", true),
        "000000022f7001");

    [Fact]
    public void SetDataRequestMatchesJava() => AssertJavaBytes(
        new SetDataRequest("/p", new byte[] { 1, 2 }, 7),
        "000000022f7000000002010200000007");

    [Fact]
    public void DeleteRequestMatchesJava() => AssertJavaBytes(
        new DeleteRequest("/p", -1),
        "000000022f70ffffffff");

    [Fact]
    public void CheckVersionRequestMatchesJava() => AssertJavaBytes(
        new CheckVersionRequest("/p", 3),
        "000000022f7000000003");

    [Fact]
    public void SyncRequestMatchesJava() => AssertJavaBytes(
        new SyncRequest("/p"),
        "000000022f70");

    [Fact]
    public void GetAclRequestMatchesJava() => AssertJavaBytes(
        new GetAclRequest("/p"),
        "000000022f70");

    [Fact]
    public void SetAclRequestMatchesJava() => AssertJavaBytes(
        new SetAclRequest("/p", [Acl.Digest("u", "p", Permissions.Read)], 2),
        "000000022f700000000100000001000000066469676573740000001e753a4a7137774d79412f7732566435574944414b" +
            "6475344f49494645513d00000002");

    [Fact]
    public void CreateRequestMatchesJava() => AssertJavaBytes(
        new CreateRequest("/ü-unicode", "d"u8.ToArray(), [Acl.Digest("a", "b"), .. Acl.OpenUnsafe], (int)CreateMode.EphemeralSequential),
        "0000000b2fc3bc2d756e69636f64650000000164000000020000001f000000066469676573740000001e613a334f7074" +
            "6e4d3039494c6f565366625a7464336d423049566949493d0000001f00000005776f726c6400000006616e796f6e6500" +
            "000003");

    [Fact]
    public void CreateResponseMatchesJava() => AssertJavaBytes(
        new CreateResponse("/p"),
        "000000022f70");

    [Fact]
    public void Create2ResponseMatchesJava() => AssertJavaBytes(
        new Create2Response("/p0000000001", SampleStat),
        "0000000c2f7030303030303030303031000000000000000100000000000000020000018bcfe568000000018bcfe56801" +
            "0000000300000004000000050000123456789abc00000006000000070000000000000008");

    [Fact]
    public void ExistsResponseMatchesJava() => AssertJavaBytes(
        new ExistsResponse(SampleStat),
        "000000000000000100000000000000020000018bcfe568000000018bcfe5680100000003000000040000000500001234" +
            "56789abc00000006000000070000000000000008");

    [Fact]
    public void SetDataResponseMatchesJava() => AssertJavaBytes(
        new SetDataResponse(SampleStat),
        "000000000000000100000000000000020000018bcfe568000000018bcfe5680100000003000000040000000500001234" +
            "56789abc00000006000000070000000000000008");

    [Fact]
    public void SyncResponseMatchesJava() => AssertJavaBytes(
        new SyncResponse("/p"),
        "000000022f70");

    [Fact]
    public void GetAclResponseMatchesJava() => AssertJavaBytes(
        new GetAclResponse(Acl.OpenUnsafe, SampleStat),
        "000000010000001f00000005776f726c6400000006616e796f6e65000000000000000100000000000000020000018bcf" +
            "e568000000018bcfe568010000000300000004000000050000123456789abc00000006000000070000000000000008");

    [Fact]
    public void GetDataResponseMatchesJava() => AssertJavaBytes(
        new GetDataResponse([9, 8], SampleStat),
        "000000020908000000000000000100000000000000020000018bcfe568000000018bcfe5680100000003000000040000" +
            "00050000123456789abc00000006000000070000000000000008");

    [Fact]
    public void GetChildren2ResponseMatchesJava() => AssertJavaBytes(
        new GetChildren2Response(["x", "y"], SampleStat),
        "0000000200000001780000000179000000000000000100000000000000020000018bcfe568000000018bcfe568010000" +
            "000300000004000000050000123456789abc00000006000000070000000000000008");

    [Fact]
    public void WatcherEventMatchesJava() => AssertJavaBytes(
        new WatcherEvent((int)WatchedEventType.NodeCreated, 3, "/p"),
        "0000000100000003000000022f70");

    [Fact]
    public void ErrorResponseMatchesJava() => AssertJavaBytes(
        new ErrorResponse((int)ZooKeeperErrorCode.BadVersion),
        "ffffff99");

    [Fact]
    public void MultiRequestMatchesJava() => AssertJavaBytes(
        new MultiRequest(
        [
            Op.Check("/a", 1),
            Op.Create("/b", "x"u8.ToArray(), CreateMode.PersistentSequential),
            Op.Create("/c", mode: CreateMode.Container),
            Op.SetData("/d", "y"u8.ToArray(), 2),
            Op.Delete("/e", 3),
        ]),
        "0000000d00ffffffff000000022f61000000010000000100ffffffff000000022f620000000178000000010000001f00" +
            "000005776f726c6400000006616e796f6e65000000020000001300ffffffff000000022f630000000000000001000000" +
            "1f00000005776f726c6400000006616e796f6e65000000040000000500ffffffff000000022f64000000017900000002" +
            "0000000200ffffffff000000022f6500000003ffffffff01ffffffff");

    [Fact]
    public void MultiResponseMatchesJava() => AssertJavaBytes(
        new MultiResponse(
        [
            new CheckResult(),
            new CreateResult("/b0000000000", null),
            new CreateResult("/c", SampleStat),
            new SetDataResult(SampleStat),
            new DeleteResult(),
            new ErrorResult(ZooKeeperErrorCode.RuntimeInconsistency),
        ]),
        "0000000d00000000000000000100000000000000000c2f62303030303030303030300000000f0000000000000000022f" +
            "63000000000000000100000000000000020000018bcfe568000000018bcfe56801000000030000000400000005000012" +
            "3456789abc00000006000000070000000000000008000000050000000000000000000000000100000000000000020000" +
            "018bcfe568000000018bcfe568010000000300000004000000050000123456789abc0000000600000007000000000000" +
            "0008000000020000000000ffffffff00fffffffefffffffeffffffff01ffffffff");

    private static void AssertJavaBytes<T>(T record, string javaHex)
        where T : IJuteRecord<T>
    {
        var java = Convert.FromHexString(javaHex);
        Assert.Equal(Convert.ToHexStringLower(java), Convert.ToHexStringLower(JuteRecords.Encode(record)));
        var reader = new JuteReader(java);
        var decoded = T.Read(ref reader);
        Assert.Equal(0, reader.Remaining);
        Assert.Equal(java, JuteRecords.Encode(decoded));
    }
}
