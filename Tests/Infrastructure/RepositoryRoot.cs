namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>The repository's root folder (the one holding <c>Orleans.Zuul.sln</c>), found upward from the test binaries.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Orleans.Zuul.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orleans.Zuul.sln not found above " + AppContext.BaseDirectory);
    }
}
