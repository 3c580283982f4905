using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace Zuul.LiveLog.Hosting;

/// <summary>
/// A component's <c>Main</c>: bad settings print their list and exit 2, a failure to start or run exits 1 (the host has
/// logged it with its stack), a normal stop exits 0. No "Unhandled exception" abort (exit 134) for an operator to decode.
/// </summary>
public static class ComponentMain
{
    public const int BadConfiguration = 2;
    public const int Failed = 1;

    public static async Task<int> RunAsync(string component, Func<WebApplication> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        WebApplication app;
        try
        {
            app = build();
        }
        catch (OptionsStartupException ex)
        {
            await Console.Error.WriteLineAsync($"{component}: {ex.Message}").ConfigureAwait(false);
            return BadConfiguration;
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.RunAsync().ConfigureAwait(false);
                return 0;
            }
            catch (OptionsValidationException ex)
            {
                await Console.Error.WriteLineAsync($"{component}: Invalid configuration:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", ex.Failures)}").ConfigureAwait(false);
                return BadConfiguration;
            }
            catch (Exception ex)
            {
                await Console.Error.WriteLineAsync($"{component}: stopped by {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
                return Failed;
            }
        }
    }
}
