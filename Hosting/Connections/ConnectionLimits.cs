namespace Zuul.LiveLog.Hosting.Connections;

/// <summary>
/// A listener's two limits: connections in all (<see cref="Max"/>) and from one client address (<see cref="PerClient"/>,
/// 0 = none). The one home of their rules; each listener's options carry the two numbers under its own section.
/// </summary>
public sealed record ConnectionLimits(int Max, int PerClient)
{
    /// <summary>Above this a listener runs out of descriptors long before it runs out of limit.</summary>
    public const int Ceiling = 1_000_000;

    /// <summary>Every problem, naming <c>&lt;section&gt;:&lt;maxKey&gt;</c> and <c>&lt;section&gt;:&lt;perClientKey&gt;</c>.</summary>
    public IReadOnlyList<string> Validate(string section, string maxKey, string perClientKey)
    {
        var errors = new List<string>();
        if (Max is < 1 or > Ceiling)
        {
            errors.Add($"{section}:{maxKey} must be 1..{Ceiling} (got {Max}).");
        }

        if (PerClient < 0 || PerClient > Math.Max(Max, 1))
        {
            errors.Add($"{section}:{perClientKey} must be 0 (no limit per client) up to {section}:{maxKey} ({Max}) (got {PerClient}).");
        }

        return errors;
    }
}
