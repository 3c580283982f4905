namespace Zuul.LiveLog.Hosting;

public static class StartupValidation
{
    /// <summary>Throws one exception naming every problem, so an operator fixes them in one go.</summary>
    public static void ThrowIfInvalid(string section, IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new OptionsStartupException(errors.Select(e => $"[{section}] {e}").ToList());
        }
    }
}
