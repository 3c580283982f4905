using System.Diagnostics;

namespace Zuul.LiveLog.Tests.Zones;

/// <summary>docker-compose.yml stays valid (no engine needed: `docker-compose config` only parses and checks it).</summary>
public class DockerComposeTests
{
    [Fact]
    public async Task ComposeFileIsValid()
    {
        var root = RepositoryRoot();
        var psi = new ProcessStartInfo("docker-compose", ["-f", Path.Combine(root, "docker-compose.yml"), "config", "--services"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("docker-compose did not start (scripts/test.sh installs it)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, "docker-compose config failed: " + await stderr);
        var services = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order().ToArray();
        Assert.Equal(["certs", "executor1", "executor2", "executor3", "silo-zone1", "silo-zone2", "web", "zookeeper"], services);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Zuul.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orleans.Zuul.sln not found above " + AppContext.BaseDirectory);
    }
}
