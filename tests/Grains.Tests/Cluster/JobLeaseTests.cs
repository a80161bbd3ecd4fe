using Distributed.Grains.Cluster.Coordinator;
using Distributed.Grains.Cluster.Store;

namespace Distributed.Grains.Tests.Cluster;

public class JobLeaseTests
{
    private static readonly Guid s_job = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly TimeSpan s_duration = TimeSpan.FromSeconds(60);

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static (ShardStore Store, ManualClock Clock) NewStore(TempDirectory temp)
    {
        var store = new ShardStore(temp.Path);
        Directory.CreateDirectory(store.PathOf(ShardStore.JobRef(s_job) + "/."));
        return (store, new ManualClock());
    }

    [Fact]
    public void ALiveLeaseKeepsOtherCoordinatorsOut()
    {
        using var temp = new TempDirectory();
        var (store, clock) = NewStore(temp);
        var a = new JobLease(store, "a", s_duration, clock);
        var b = new JobLease(store, "b", s_duration, clock);

        Assert.Equal(1, a.TryAcquire(s_job));
        Assert.Null(b.TryAcquire(s_job));
        clock.Now += TimeSpan.FromSeconds(45);
        Assert.True(a.Renew(s_job, 1));
        clock.Now += TimeSpan.FromSeconds(45);
        Assert.Null(b.TryAcquire(s_job)); // 90 s after the start, but 45 s after the renewal
        Assert.Equal(1, a.TryAcquire(s_job)); // the owner taking it again keeps its generation
        Assert.Equal(("a", 1L), (a.Current(s_job)!.Value.Owner, a.Current(s_job)!.Value.Generation));
    }

    [Fact]
    public void ALapsedLeaseIsTakenOverAndTheFormerOwnerIsFencedOff()
    {
        using var temp = new TempDirectory();
        var (store, clock) = NewStore(temp);
        var a = new JobLease(store, "a", s_duration, clock);
        var b = new JobLease(store, "b", s_duration, clock);
        Assert.Equal(1, a.TryAcquire(s_job));

        clock.Now += s_duration;
        Assert.Equal(2, b.TryAcquire(s_job));
        Assert.False(a.Holds(s_job, 1));
        Assert.False(a.Renew(s_job, 1));
        Assert.True(b.Holds(s_job, 2));
        a.Release(s_job, 1); // a late release of a lost lease must not expire the new owner's
        Assert.Null(a.TryAcquire(s_job));
    }

    [Fact]
    public void AReleasedLeaseCanBeTakenAtOnce()
    {
        using var temp = new TempDirectory();
        var (store, clock) = NewStore(temp);
        var a = new JobLease(store, "a", s_duration, clock);
        Assert.Equal(1, a.TryAcquire(s_job));
        a.Release(s_job, 1);
        Assert.Equal(2, new JobLease(store, "b", s_duration, clock).TryAcquire(s_job));
    }

    [Fact]
    public void OfCoordinatorsRacingForALapsedLeaseExactlyOneWins()
    {
        using var temp = new TempDirectory();
        var (store, clock) = NewStore(temp);
        Assert.Equal(1, new JobLease(store, "dead", s_duration, clock).TryAcquire(s_job));
        clock.Now += 2 * s_duration;

        using var start = new Barrier(8);
        var won = new long?[8];
        var racers = Enumerable.Range(0, 8).Select(i => new Thread(() =>
        {
            var lease = new JobLease(store, $"c{i}", s_duration, clock);
            start.SignalAndWait();
            won[i] = lease.TryAcquire(s_job);
        })).ToList();
        racers.ForEach(t => t.Start());
        racers.ForEach(t => t.Join());
        Assert.Single(won, g => g is not null);
        var current = new JobLease(store, "observer", s_duration, clock).Current(s_job)!.Value;
        Assert.Equal(2, current.Generation);
        Assert.Equal($"c{Array.FindIndex(won, g => g is not null)}", current.Owner);
    }
}
