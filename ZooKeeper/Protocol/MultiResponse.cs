using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

/// <summary>The body of a multi reply: one result per operation behind a <see cref="MultiHeader"/> (type -1 for errors).</summary>
internal sealed record MultiResponse(IReadOnlyList<OpResult> Results) : IJuteRecord<MultiResponse>
{
    public static MultiResponse Read(ref JuteReader reader)
    {
        var results = new List<OpResult>();
        while (true)
        {
            var header = MultiHeader.Read(ref reader);
            if (header.Done)
            {
                return new MultiResponse(results);
            }

            results.Add(header.Type switch
            {
                OpCode.Create => new CreateResult(CreateResponse.Read(ref reader).Path, null),
                OpCode.Create2 or OpCode.CreateContainer => ReadCreate2(ref reader),
                OpCode.SetData => new SetDataResult(SetDataResponse.Read(ref reader).Stat),
                OpCode.Delete => new DeleteResult(),
                OpCode.Check => new CheckResult(),
                OpCode.Error => new ErrorResult((ZooKeeperErrorCode)ErrorResponse.Read(ref reader).Err),
                _ => throw new JuteException($"Unexpected result type {header.Type} in a multi response."),
            });
        }
    }

    public void Write(JuteWriter writer)
    {
        foreach (var result in Results)
        {
            switch (result)
            {
                case CreateResult { Stat: null } create:
                    new MultiHeader(OpCode.Create, false, 0).Write(writer);
                    new CreateResponse(create.Path).Write(writer);
                    break;
                case CreateResult create:
                    new MultiHeader(OpCode.Create2, false, 0).Write(writer);
                    new Create2Response(create.Path, create.Stat!).Write(writer);
                    break;
                case SetDataResult setData:
                    new MultiHeader(OpCode.SetData, false, 0).Write(writer);
                    new SetDataResponse(setData.Stat).Write(writer);
                    break;
                case DeleteResult:
                    new MultiHeader(OpCode.Delete, false, 0).Write(writer);
                    break;
                case CheckResult:
                    new MultiHeader(OpCode.Check, false, 0).Write(writer);
                    break;
                case ErrorResult error:
                    new MultiHeader(OpCode.Error, false, (int)error.Code).Write(writer);
                    new ErrorResponse((int)error.Code).Write(writer);
                    break;
            }
        }

        new MultiHeader(-1, true, -1).Write(writer);
    }

    private static CreateResult ReadCreate2(ref JuteReader reader)
    {
        var record = Create2Response.Read(ref reader);
        return new CreateResult(record.Path, record.Stat);
    }
}
