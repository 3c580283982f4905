using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Executor;

/// <summary>Which registration failures the executor retries: the one rule, used by <see cref="OrleansBuildRegistrar"/>.</summary>
public static class RegistrationErrors
{
    /// <summary>
    /// Whether trying again may help. The silo says so for failures inside the grain (<see cref="GrainCallException"/>);
    /// a bad request (<see cref="ArgumentException"/>) is final. Everything else happens on the way (no gateway, a
    /// timeout, a silo gone, a storage error while the grain activates, an error type this side cannot read): the
    /// cluster may answer later, and giving up would lose the build for good.
    /// </summary>
    public static bool IsTransient(Exception e) => e switch
    {
        GrainCallException call => call.Transient,
        ArgumentException => false,
        _ => true,
    };
}
