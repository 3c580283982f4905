namespace Zuul.LiveLog.Grains;

/// <summary>Names of the grain storage providers the grains expect the silo to configure.</summary>
public static class StorageNames
{
    public const string Builds = "builds";
}
