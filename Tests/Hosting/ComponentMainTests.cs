using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Hosting;

/// <summary>What an operator sees when a component cannot start: the problems and an exit code, not an abort.</summary>
public sealed class ComponentMainTests
{
    [Fact]
    public async Task BadSettingsExitWithTwoAndTheirList()
    {
        var (exitCode, output) = await RunAsync("Orleans.Zuul.Silo.dll", "--FingerGateway:Port", "99999", "--Orleans:SiloPort", "x");
        Assert.True(exitCode == ComponentMain.BadConfiguration, $"exit code {exitCode}:\n{output}");
        Assert.Contains("silo: Invalid configuration:", output, StringComparison.Ordinal);
        Assert.Contains("FingerGateway:Port must be 0..65535 (got 99999)", output, StringComparison.Ordinal);
        Assert.Contains("Orleans:SiloPort must be a port number 0..65535 (got 'x')", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedStartExitsWithOne()
    {
        var exitCode = await ComponentMain.RunAsync("test", () =>
        {
            var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddHostedService<FailingService>();
            return builder.Build();
        });
        Assert.Equal(ComponentMain.Failed, exitCode);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await Eventually.WithinAsync(process.WaitForExitAsync(), $"{dll} to exit", TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    private sealed class FailingService : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("cannot start");

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
