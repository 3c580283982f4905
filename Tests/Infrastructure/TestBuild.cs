using System.Text;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>A build's job directory in Zuul's layout (PROTOCOL.md section 2), written the way a job writes its log.</summary>
public sealed class TestBuild
{
    /// <summary>
    /// Creates the build in <paramref name="jobRoot"/>: laid out beside it and moved in at once, so an executor sees the
    /// job complete (with its name and log). <paramref name="initialLog"/> null: the log file does not exist yet.
    /// <paramref name="tenant"/>: written as <c>zuul.tenant</c> into Zuul's inventory, <c>ansible/inventory.yaml</c>.
    /// </summary>
    public TestBuild(string jobRoot, string? jobName = null, string? initialLog = "", string? tenant = null)
    {
        Id = Guid.NewGuid().ToString("N");
        var staging = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(jobRoot))!, ".staging-" + Id);
        Directory.CreateDirectory(Path.Combine(staging, "work", "logs"));
        if (jobName is not null)
        {
            File.WriteAllText(Path.Combine(staging, "job-name"), jobName + "\n");
        }

        if (tenant is not null)
        {
            Directory.CreateDirectory(Path.Combine(staging, "ansible"));
            File.WriteAllText(Path.Combine(staging, "ansible", "inventory.yaml"), $"all:\n  vars:\n    zuul:\n      tenant: {tenant}\n");
        }

        if (initialLog is not null)
        {
            File.WriteAllBytes(Path.Combine(staging, "work", "logs", "job-output.txt"), Encoding.UTF8.GetBytes(initialLog));
        }

        DirectoryPath = Path.Combine(jobRoot, Id);
        Directory.Move(staging, DirectoryPath);
        LogPath = Path.Combine(DirectoryPath, "work", "logs", "job-output.txt");
    }

    public string Id { get; }

    /// <summary><c>&lt;JobRoot&gt;/&lt;id&gt;</c>.</summary>
    public string DirectoryPath { get; }

    public string LogPath { get; }

    /// <summary>The marker that finishes the build: <c>job-output.txt.done</c>, its first line the result.</summary>
    public string DoneMarker => LogPath + ".done";

    public void Append(string text) => Append(Encoding.UTF8.GetBytes(text));

    public void Append(byte[] bytes)
    {
        using var stream = new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        stream.Write(bytes);
    }

    public async Task AppendAsync(string text)
    {
        await using var stream = new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    public void Finish(string result = "SUCCESS") => File.WriteAllText(DoneMarker, result + "\n");

    public Task FinishAsync(string result = "SUCCESS") => File.WriteAllTextAsync(DoneMarker, result + "\n");

    /// <summary>The log as written so far.</summary>
    public byte[] Content() => File.ReadAllBytes(LogPath);
}
