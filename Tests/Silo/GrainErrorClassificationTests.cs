using Orleans.Storage;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Silo;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.Silo;

/// <summary>What the silo's error boundary calls transient, and what the executor's registrar retries.</summary>
public sealed class GrainErrorClassificationTests
{
    [Fact]
    public void StoreOutagesAreTransientConfigurationIsNot()
    {
        Assert.True(GrainErrorBoundary.IsTransient(new ConnectionLossException("/grains/build/x", null)));
        Assert.True(GrainErrorBoundary.IsTransient(new SessionExpiredException(null, null)));
        Assert.True(GrainErrorBoundary.IsTransient(new InvalidOperationException("wrapped", new OperationTimeoutException(null, null))));
        Assert.True(GrainErrorBoundary.IsTransient(new TimeoutException()));
        Assert.True(GrainErrorBoundary.IsTransient(new InconsistentStateException("concurrent write")));
        Assert.False(GrainErrorBoundary.IsTransient(new NoAuthException("/grains", null)));
        Assert.False(GrainErrorBoundary.IsTransient(new NullReferenceException()));
    }

    [Fact]
    public void TheRegistrarRetriesAllButWhatTheSiloCallsPermanentAndBadRequests()
    {
        Assert.True(Zuul.LiveLog.Executor.RegistrationErrors.IsTransient(new GrainCallException("x", transient: true, "ConnectionLossException")));
        Assert.False(Zuul.LiveLog.Executor.RegistrationErrors.IsTransient(new GrainCallException("x", transient: false, "NullReferenceException")));
        Assert.False(Zuul.LiveLog.Executor.RegistrationErrors.IsTransient(new ArgumentException("bad id")));
        // An activation that failed on storage, a gateway gone, a type this side cannot read: the cluster may answer later.
        Assert.True(Zuul.LiveLog.Executor.RegistrationErrors.IsTransient(new ConnectionLossException(null, null)));
        Assert.True(Zuul.LiveLog.Executor.RegistrationErrors.IsTransient(new Orleans.Runtime.SiloUnavailableException()));
        Assert.True(Zuul.LiveLog.Executor.RegistrationErrors.IsTransient(new Orleans.Serialization.CodecNotFoundException("no codec")));
    }
}
