using System.Diagnostics.Metrics;
using Herald.Grains.Telemetry;
using Herald.Infrastructure.Storage;

namespace Herald.Infrastructure.Telemetry;

/// <summary>The storage backlog: state and attempt writes accepted but not yet committed.</summary>
public sealed class StorageMetrics
{
    public StorageMetrics(IMeterFactory meters, IStorageBacklog backlog) =>
        meters.Create(HeraldTelemetry.MeterName).CreateObservableGauge("herald.storage.pending_writes", () => backlog.PendingWrites, "{write}",
            "Storage writes this process has queued and not yet seen committed; a figure that keeps growing means storage cannot keep up.");
}
