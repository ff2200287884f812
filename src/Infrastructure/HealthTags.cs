namespace Herald.Infrastructure;

/// <summary>Health check tags: <see cref="Ready"/> checks gate <c>/readyz</c>; <c>/healthz</c> is liveness only.</summary>
public static class HealthTags
{
    public const string Ready = "ready";
}
