using System.Text;

namespace Orleans.Zuul.Tests.Integration;

/// <summary>A build directory in Zuul's layout, written the way a job writes its log.</summary>
public sealed class TestBuild
{
    public TestBuild(string jobRoot, string? jobName = null)
    {
        Id = Guid.NewGuid().ToString("N");
        // Laid out beside the job root, then moved in at once, so the executor sees the job complete (with its name).
        var staging = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(jobRoot))!, ".staging-" + Id);
        Directory.CreateDirectory(Path.Combine(staging, "work", "logs"));
        if (jobName is not null)
        {
            File.WriteAllText(Path.Combine(staging, "job-name"), jobName + "\n");
        }

        File.WriteAllBytes(Path.Combine(staging, "work", "logs", "job-output.txt"), []);
        var dir = Path.Combine(jobRoot, Id);
        Directory.Move(staging, dir);
        LogPath = Path.Combine(dir, "work", "logs", "job-output.txt");
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
