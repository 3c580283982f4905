namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// Figures a test measures but does not assert tightly (benchmark targets on a shared machine): appended, one line each,
/// to <c>artifacts/measurements/&lt;name&gt;.txt</c> of the repository.
/// </summary>
public static class Measurements
{
    private static readonly Lock Gate = new();

    public static void Record(string name, string line)
    {
        var directory = Path.Combine(RepositoryRoot.Path, "artifacts", "measurements");
        Directory.CreateDirectory(directory);
        lock (Gate)
        {
            File.AppendAllText(Path.Combine(directory, name + ".txt"), line + Environment.NewLine);
        }
    }
}
