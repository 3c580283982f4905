namespace Zuul.LiveLog.Grains;

/// <summary>
/// One executor's liveness lease without ZooKeeper (key: <see cref="ExecutorLease.KeyOf"/>). Soft state: a lease lost
/// with its silo is taken again by the executor's next renewal.
/// </summary>
[Alias("Orleans.Zuul.IExecutorLeaseGrain")]
public interface IExecutorLeaseGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes or renews the lease: whether it was held before, and (on a renewal) which of the named running builds the
    /// cluster has no record of.
    /// </summary>
    [Alias("Renew2")]
    Task<LeaseRenewal> RenewAsync(ExecutorLease lease);

    /// <summary>The lease as last renewed, or null when none is held.</summary>
    [Alias("Get")]
    Task<ExecutorLease?> GetAsync();
}
