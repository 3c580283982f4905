namespace Zuul.LiveLog.Tests.Limits;

/// <summary>
/// Tests that count this process's descriptors and memory run alone: another test opening sockets at the same time
/// would move the counts they wait on.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LimitsCollection
{
    public const string Name = "Descriptor counts";
}
