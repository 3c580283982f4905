using System.Text;

namespace Orleans.Zuul.Tests.Integration;

/// <summary>A build directory in Zuul's layout, written the way a job writes its log.</summary>
public sealed class TestBuild
{
    public TestBuild(string jobRoot)
    {
        Id = Guid.NewGuid().ToString("N");
        var logs = Path.Combine(jobRoot, Id, "work", "logs");
        Directory.CreateDirectory(logs);
        LogPath = Path.Combine(logs, "job-output.txt");
        File.WriteAllBytes(LogPath, []);
    }

    public string Id { get; }

    public string LogPath { get; }

    public async Task AppendAsync(string text)
    {
        await using var f = new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        await f.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    public Task FinishAsync() => File.WriteAllTextAsync(LogPath + ".done", string.Empty);
}
