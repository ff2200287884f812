using Herald.Grains.Webhooks;
using Herald.Silo.Cluster;
using Herald.Silo.Postgres;
using Herald.Silo.Tests.Infrastructure;

namespace Herald.Silo.Tests.Providers;

public sealed class FencingTests
{
    private const string Grain = "ep_fenced";

    [Fact]
    public async Task A_lease_holder_whose_lease_was_taken_or_expired_cannot_move_the_cursor()
    {
        await using var set = await PostgresProviderSet.CreateAsync();
        var partition = PartitionMap.Of(Grain);
        await SetLeaseAsync(set, partition, "silo-a", epoch: 5, validFor: "1 minute");
        var asA = new PostgresGrainStorage(set.DataSource, set.Batcher, new FixedFence(partition, "silo-a", 5));

        await asA.WriteStateAsync(DeliveryState.GrainType, Grain, new DeliveryState { Cursor = 1 });

        // silo-b claims the partition (a new epoch): silo-a's next write is rejected and changes nothing.
        await SetLeaseAsync(set, partition, "silo-b", epoch: 6, validFor: "1 minute");
        await Assert.ThrowsAsync<LeaseLostException>(() => asA.WriteStateAsync(DeliveryState.GrainType, Grain, new DeliveryState { Cursor = 2 }).AsTask());
        Assert.Equal(1, (await set.Storage.ReadStateAsync<DeliveryState>(DeliveryState.GrainType, Grain))!.Cursor);

        var asB = new PostgresGrainStorage(set.DataSource, set.Batcher, new FixedFence(partition, "silo-b", 6));
        await asB.WriteStateAsync(DeliveryState.GrainType, Grain, new DeliveryState { Cursor = 3 });

        // An expired lease fences its holder too, even before anyone else claims the partition.
        await SetLeaseAsync(set, partition, "silo-b", epoch: 6, validFor: "-1 second");
        await Assert.ThrowsAsync<LeaseLostException>(() => asB.WriteStateAsync(DeliveryState.GrainType, Grain, new DeliveryState { Cursor = 4 }).AsTask());
        Assert.Equal(3, (await set.Storage.ReadStateAsync<DeliveryState>(DeliveryState.GrainType, Grain))!.Cursor);
    }

    [Fact]
    public void Partition_map_is_stable_and_spreads_keys()
    {
        Assert.Equal(PartitionMap.Of("ep_01a1fda62ff070ba96665c3bfe946046"), PartitionMap.Of("ep_01a1fda62ff070ba96665c3bfe946046"));
        var used = Enumerable.Range(0, 2000).Select(i => PartitionMap.Of($"ep_{Guid.CreateVersion7():N}{i}")).ToHashSet();
        Assert.Equal(PartitionMap.Count, used.Count);
        Assert.All(used, p => Assert.InRange(p, 0, PartitionMap.Count - 1));
    }

    private static async Task SetLeaseAsync(PostgresProviderSet set, int partition, string owner, long epoch, string validFor)
    {
        await using var command = set.DataSource.CreateCommand(
            $"UPDATE herald_partitions SET owner = $1, epoch = $2, lease_until = now() + interval '{validFor}' WHERE partition = $3");
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = owner });
        command.Parameters.Add(new Npgsql.NpgsqlParameter<long> { TypedValue = epoch });
        command.Parameters.Add(new Npgsql.NpgsqlParameter<int> { TypedValue = partition });
        await command.ExecuteNonQueryAsync();
    }

    private sealed class FixedFence(int partition, string owner, long epoch) : IWriteFence
    {
        public bool TryGetFence(string grainType, string key, out int fencePartition, out string fenceOwner, out long fenceEpoch)
        {
            (fencePartition, fenceOwner, fenceEpoch) = (partition, owner, epoch);
            return true;
        }
    }

    [Fact]
    public async Task Batched_writes_fence_each_row_on_its_own()
    {
        await using var set = await PostgresProviderSet.CreateAsync();
        var held = Enumerable.Range(0, 200).Select(i => $"ep_held_{i}").First(k => PartitionMap.Of(k) != PartitionMap.Of(Grain));
        await SetLeaseAsync(set, PartitionMap.Of(held), "silo-a", epoch: 1, validFor: "1 minute");
        await SetLeaseAsync(set, PartitionMap.Of(Grain), "silo-b", epoch: 1, validFor: "1 minute");
        var good = new PostgresGrainStorage(set.DataSource, set.Batcher, new FixedFence(PartitionMap.Of(held), "silo-a", 1));
        var stale = new PostgresGrainStorage(set.DataSource, set.Batcher, new FixedFence(PartitionMap.Of(Grain), "silo-a", 1));

        // Issued together, so they share a flush: one lands and one is fenced.
        var landed = good.WriteStateAsync(DeliveryState.GrainType, held, new DeliveryState { Cursor = 7 }).AsTask();
        var fenced = stale.WriteStateAsync(DeliveryState.GrainType, Grain, new DeliveryState { Cursor = 7 }).AsTask();

        await landed;
        await Assert.ThrowsAsync<LeaseLostException>(() => fenced);
        Assert.Equal(7, (await set.Storage.ReadStateAsync<DeliveryState>(DeliveryState.GrainType, held))!.Cursor);
        Assert.Null(await set.Storage.ReadStateAsync<DeliveryState>(DeliveryState.GrainType, Grain));
    }
}
