using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Jute;
using Zuul.LiveLog.ZooKeeper.Protocol;

namespace Zuul.LiveLog.Tests.ZooKeeper;

/// <summary>Every record the client uses encodes, decodes and encodes again to the same bytes (no server).</summary>
public sealed class JuteRoundTripTests
{
    private static readonly Stat SampleStat = new(1, 2, 1_700_000_000_000, 1_700_000_000_001, 3, 4, 5, 0x1234_5678_9abc, 6, 7, 8);

    [Fact]
    public void Stat() => AssertRoundTrip(SampleStat);

    [Fact]
    public void IdAndAcl()
    {
        AssertRoundTrip(new Id("digest", "alice:abc="));
        AssertRoundTrip(new Acl(Permissions.Read | Permissions.Admin, Id.AnyoneUnsafe));
    }

    [Fact]
    public void ConnectRequestAndResponse()
    {
        var request = AssertRoundTrip(new ConnectRequest(0, 0x10, 4000, 0x7f, new byte[16], false));
        Assert.Equal(0x10, request.LastZxidSeen);
        AssertRoundTrip(new ConnectResponse(0, 4000, 0x7f, [1, 2, 3], false));

        // Old servers omit the read-only byte.
        var legacy = Decode<ConnectResponse>([0, 0, 0, 0, 0, 0, 0x0f, 0xa0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0]);
        Assert.Equal((4000, 9L, false), (legacy.TimeOut, legacy.SessionId, legacy.ReadOnly));
    }

    [Fact]
    public void ConnectRequestHasTheWireLayoutOfZookeeperJute()
    {
        var bytes = JuteRecords.Encode(new ConnectRequest(0, 0x0102030405060708, 10000, 0x1122334455667788, new byte[] { 0xaa, 0xbb }, false));
        byte[] expected =
        [
            0, 0, 0, 0, // protocolVersion
            1, 2, 3, 4, 5, 6, 7, 8, // lastZxidSeen, big-endian
            0, 0, 0x27, 0x10, // timeOut 10000
            0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, // sessionId
            0, 0, 0, 2, 0xaa, 0xbb, // passwd: length then bytes
            0, // readOnly
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Headers()
    {
        AssertRoundTrip(new RequestHeader(42, OpCode.GetData));
        AssertRoundTrip(new ReplyHeader(-1, 0x1_0000_0001, (int)ZooKeeperErrorCode.NoNode));
        AssertRoundTrip(new MultiHeader(OpCode.Create, false, -1));
        Assert.Equal(new byte[] { 0, 0, 0, 42, 0, 0, 0, 4 }, JuteRecords.Encode(new RequestHeader(42, OpCode.GetData)));
    }

    [Fact]
    public void AuthAndSetWatches()
    {
        AssertRoundTrip(new AuthPacket(0, "digest", "u:p"u8.ToArray()));
        var watches = AssertRoundTrip(new SetWatches(99, ["/a", "/b"], ["/c"], []));
        Assert.Equal(["/a", "/b"], watches.DataWatches);
    }

    [Fact]
    public void Requests()
    {
        AssertRoundTrip(new GetDataRequest("/p", true));
        AssertRoundTrip(new ExistsRequest("/p", false));
        AssertRoundTrip(new GetChildren2Request("/p", true));
        AssertRoundTrip(new SetDataRequest("/p", new byte[] { 1, 2 }, 7));
        AssertRoundTrip(new DeleteRequest("/p", -1));
        AssertRoundTrip(new CheckVersionRequest("/p", 3));
        AssertRoundTrip(new SyncRequest("/p"));
        AssertRoundTrip(new GetAclRequest("/p"));
        AssertRoundTrip(new SetAclRequest("/p", [Acl.Digest("u", "p", Permissions.Read)], 2));
        var create = AssertRoundTrip(new CreateRequest("/ü-unicode", "d"u8.ToArray(), [Acl.Digest("a", "b"), .. Acl.OpenUnsafe], (int)CreateMode.EphemeralSequential));
        Assert.Equal("/ü-unicode", create.Path);
        Assert.Equal(2, create.Acl.Count);
    }

    [Fact]
    public void Responses()
    {
        AssertRoundTrip(new CreateResponse("/p"));
        AssertRoundTrip(new Create2Response("/p0000000001", SampleStat));
        AssertRoundTrip(new ExistsResponse(SampleStat));
        AssertRoundTrip(new SetDataResponse(SampleStat));
        AssertRoundTrip(new SyncResponse("/p"));
        Assert.Equal(Acl.OpenUnsafe, AssertRoundTrip(new GetAclResponse(Acl.OpenUnsafe, SampleStat)).Acl);
        Assert.Equal(new byte[] { 9, 8 }, AssertRoundTrip(new GetDataResponse([9, 8], SampleStat)).Data);
        Assert.Equal(["x", "y"], AssertRoundTrip(new GetChildren2Response(["x", "y"], SampleStat)).Children);
        AssertRoundTrip(new WatcherEvent((int)WatchedEventType.NodeCreated, 3, "/p"));
        AssertRoundTrip(new ErrorResponse((int)ZooKeeperErrorCode.BadVersion));
    }

    [Fact]
    public void MultiRequestAndResponse()
    {
        var request = AssertRoundTrip(new MultiRequest(
        [
            Op.Check("/a", 1),
            Op.Create("/b", "x"u8.ToArray(), CreateMode.PersistentSequential),
            Op.Create("/c", mode: CreateMode.Container),
            Op.SetData("/d", "y"u8.ToArray(), 2),
            Op.Delete("/e", 3),
        ]));
        Assert.Equal(5, request.Ops.Count);
        Assert.Equal(CreateMode.Container, Assert.IsType<CreateOp>(request.Ops[2]).Mode);

        var response = AssertRoundTrip(new MultiResponse(
        [
            new CheckResult(),
            new CreateResult("/b0000000000", null),
            new CreateResult("/c", SampleStat),
            new SetDataResult(SampleStat),
            new DeleteResult(),
            new ErrorResult(ZooKeeperErrorCode.RuntimeInconsistency),
        ]));
        Assert.Equal(6, response.Results.Count);
        Assert.Equal(new ErrorResult(ZooKeeperErrorCode.RuntimeInconsistency), response.Results[5]);
    }

    [Fact]
    public void NullStringAndBufferDecode()
    {
        var writer = new JuteWriter();
        writer.WriteString(null);
        writer.WriteNullBuffer();
        var reader = new JuteReader(writer.WrittenSpan);
        Assert.Null(reader.ReadString());
        Assert.Empty(reader.ReadBuffer());
    }

    [Fact]
    public void TruncatedOrCorruptInputThrows()
    {
        var bytes = JuteRecords.Encode(new Create2Response("/p", SampleStat));
        Assert.Throws<JuteException>(() => Decode<Create2Response>(bytes[..^1]));

        // A vector count far larger than the bytes that follow must not allocate, just fail.
        Assert.Throws<JuteException>(() => Decode<GetChildren2Response>([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1]));
    }

    [Fact]
    public void FramesCarryTheirLength()
    {
        var writer = new JuteWriter();
        writer.BeginFrame();
        new RequestHeader(1, OpCode.Ping).Write(writer);
        Assert.Equal(8, writer.EndFrame());
        Assert.Equal(new byte[] { 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 11 }, writer.WrittenSpan.ToArray());
    }

    private static T AssertRoundTrip<T>(T record)
        where T : IJuteRecord<T>
    {
        var bytes = JuteRecords.Encode(record);
        var decoded = Decode<T>(bytes);
        Assert.Equal(bytes, JuteRecords.Encode(decoded));
        return decoded;
    }

    private static T Decode<T>(byte[] bytes)
        where T : IJuteRecord<T>
    {
        var reader = new JuteReader(bytes);
        var value = T.Read(ref reader);
        Assert.Equal(0, reader.Remaining);
        return value;
    }
}
