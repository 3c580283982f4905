namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>Where browser tests save screenshots: <c>artifacts/screenshots/</c> of the repository.</summary>
internal static class Screenshots
{
    public static string Directory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orleans.Zuul.sln")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? AppContext.BaseDirectory;
        var path = Path.Combine(root, "artifacts", "screenshots");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
