namespace Herald.Storage;

/// <summary>Keyed state of grains, read on activation and written on change. Values are immutable records.</summary>
public interface IGrainStorage
{
    ValueTask<T?> ReadStateAsync<T>(string grainType, string key, CancellationToken cancellationToken = default) where T : class;

    ValueTask WriteStateAsync<T>(string grainType, string key, T state, CancellationToken cancellationToken = default) where T : class;

    ValueTask ClearStateAsync(string grainType, string key, CancellationToken cancellationToken = default);
}
