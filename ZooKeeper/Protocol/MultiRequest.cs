using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

/// <summary>The body of a multi: each operation behind a <see cref="MultiHeader"/>, closed by a done header. Paths are server paths.</summary>
internal sealed record MultiRequest(IReadOnlyList<Op> Ops) : IJuteRecord<MultiRequest>
{
    public static MultiRequest Read(ref JuteReader reader)
    {
        var ops = new List<Op>();
        while (true)
        {
            var header = MultiHeader.Read(ref reader);
            if (header.Done)
            {
                return new MultiRequest(ops);
            }

            ops.Add(header.Type switch
            {
                OpCode.Check => ReadCheck(ref reader),
                OpCode.Create or OpCode.Create2 or OpCode.CreateContainer => ReadCreate(ref reader),
                OpCode.SetData => ReadSetData(ref reader),
                OpCode.Delete => ReadDelete(ref reader),
                _ => throw new JuteException($"Unexpected operation type {header.Type} in a multi request."),
            });
        }
    }

    public void Write(JuteWriter writer)
    {
        foreach (var op in Ops)
        {
            switch (op)
            {
                case CheckOp check:
                    new MultiHeader(OpCode.Check, false, -1).Write(writer);
                    new CheckVersionRequest(check.Path, check.Version).Write(writer);
                    break;
                case CreateOp create:
                    new MultiHeader(create.Mode == CreateMode.Container ? OpCode.CreateContainer : OpCode.Create, false, -1).Write(writer);
                    new CreateRequest(create.Path, create.Data, create.Acl ?? Acl.OpenUnsafe, (int)create.Mode).Write(writer);
                    break;
                case SetDataOp setData:
                    new MultiHeader(OpCode.SetData, false, -1).Write(writer);
                    new SetDataRequest(setData.Path, setData.Data, setData.Version).Write(writer);
                    break;
                case DeleteOp delete:
                    new MultiHeader(OpCode.Delete, false, -1).Write(writer);
                    new DeleteRequest(delete.Path, delete.Version).Write(writer);
                    break;
                default:
                    throw new ArgumentException($"Unsupported multi operation {op.GetType().Name}.");
            }
        }

        new MultiHeader(-1, true, -1).Write(writer);
    }

    private static Op ReadCheck(ref JuteReader reader)
    {
        var record = CheckVersionRequest.Read(ref reader);
        return new CheckOp(record.Path, record.Version);
    }

    private static Op ReadCreate(ref JuteReader reader)
    {
        var record = CreateRequest.Read(ref reader);
        return new CreateOp(record.Path, record.Data, (CreateMode)record.Flags, record.Acl);
    }

    private static Op ReadSetData(ref JuteReader reader)
    {
        var record = SetDataRequest.Read(ref reader);
        return new SetDataOp(record.Path, record.Data, record.Version);
    }

    private static Op ReadDelete(ref JuteReader reader)
    {
        var record = DeleteRequest.Read(ref reader);
        return new DeleteOp(record.Path, record.Version);
    }
}
