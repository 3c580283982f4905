namespace Zuul.LiveLog.Grains;

/// <summary>
/// How a grain's failure crosses to its caller when its own exception could not (a ZooKeeper or storage error, a bug):
/// the silo's error boundary converts it, so every caller can deserialize and classify it. <see cref="Transient"/>
/// says whether the same call may succeed later (the store unreachable, a timeout, a concurrent write) or not.
/// </summary>
[GenerateSerializer, Alias("Orleans.Zuul.GrainCallException")]
public sealed class GrainCallException : Exception
{
    public GrainCallException()
    {
    }

    public GrainCallException(string message)
        : base(message)
    {
    }

    public GrainCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GrainCallException(string message, bool transient, string errorType)
        : base(message)
    {
        Transient = transient;
        ErrorType = errorType;
    }

    /// <summary>True when trying again may succeed.</summary>
    [Id(0)]
    public bool Transient { get; set; }

    /// <summary>The name of the exception type inside the silo (e.g. <c>ConnectionLossException</c>).</summary>
    [Id(1)]
    public string ErrorType { get; set; } = string.Empty;
}
