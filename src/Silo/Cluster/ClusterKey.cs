using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Silo.Cluster;

/// <summary>
/// The key every silo-to-silo grain call carries and every receiving silo checks. It is
/// <c>Herald:Cluster:InternalKey</c> when configured; otherwise the first process to need it makes a random one
/// and keeps it in PostgreSQL, where every other process of the cluster reads it. So a cluster is never open to
/// unauthenticated grain calls, and needs no key handed out by hand.
/// </summary>
public sealed class ClusterKey(NpgsqlDataSource dataSource, IOptions<ClusterOptions> options)
{
    private const int GeneratedKeyBytes = 32;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private byte[]? _key;

    /// <summary>The key, loaded (or made) once; throws while PostgreSQL cannot be reached.</summary>
    public async ValueTask<string> GetAsync(CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString(await GetBytesAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Whether <paramref name="presented"/> is the key, compared in constant time.</summary>
    public async ValueTask<bool> VerifyAsync(string? presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented))
            return false;
        var key = await GetBytesAsync(cancellationToken).ConfigureAwait(false);
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), key);
    }

    private async ValueTask<byte[]> GetBytesAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _key) is { } known)
            return known;
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _key ??= Encoding.UTF8.GetBytes(options.Value.InternalKey ?? await LoadOrCreateAsync(cancellationToken).ConfigureAwait(false));
            return _key;
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<string> LoadOrCreateAsync(CancellationToken cancellationToken)
    {
        // Two processes starting at once both offer a key and the row keeps the first. The loser's statement may
        // not see the winner's row (its snapshot predates that commit), so it asks again.
        while (true)
        {
            await using var command = dataSource.CreateCommand(
                "WITH offered AS (INSERT INTO herald_cluster_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING RETURNING key) " +
                "SELECT key FROM offered UNION ALL SELECT key FROM herald_cluster_key WHERE id = 1 LIMIT 1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Convert.ToHexString(RandomNumberGenerator.GetBytes(GeneratedKeyBytes)) });
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string key)
                return key;
        }
    }
}
