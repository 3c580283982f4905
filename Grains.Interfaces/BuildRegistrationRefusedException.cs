namespace Zuul.LiveLog.Grains;

/// <summary>
/// A build registration the cluster refuses (its executor address is outside its zone's executor networks). Not
/// retried by executors. Serializable, so the caller on the other side of the grain call gets this type and message.
/// </summary>
[GenerateSerializer, Alias("Orleans.Zuul.BuildRegistrationRefusedException")]
public sealed class BuildRegistrationRefusedException : Exception
{
    public BuildRegistrationRefusedException()
    {
    }

    public BuildRegistrationRefusedException(string message)
        : base(message)
    {
    }

    public BuildRegistrationRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
