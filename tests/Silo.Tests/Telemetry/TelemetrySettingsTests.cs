using Herald.Infrastructure;
using Herald.Infrastructure.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Herald.Silo.Tests.Telemetry;

/// <summary>What turns traces on, and a bad telemetry setting stopping the start with a message that names it.</summary>
public sealed class TelemetrySettingsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    [Fact]
    public void Traces_are_off_by_default_on_with_a_collector_and_the_setting_wins_either_way()
    {
        Assert.False(TelemetryHostingExtensions.TracesEnabled(Configuration()));
        Assert.True(TelemetryHostingExtensions.TracesEnabled(Configuration((TelemetryOptions.OtlpEndpointKey, "http://collector:4318"))));
        Assert.True(TelemetryHostingExtensions.TracesEnabled(Configuration(("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces"))));
        Assert.False(TelemetryHostingExtensions.TracesEnabled(Configuration(("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://collector:4318/v1/metrics"))));
        Assert.True(TelemetryHostingExtensions.TracesEnabled(Configuration(("Herald:Telemetry:Traces", "true"))));
        Assert.False(TelemetryHostingExtensions.TracesEnabled(Configuration((TelemetryOptions.OtlpEndpointKey, "http://collector:4318"), ("Herald:Telemetry:Traces", "false"))));
    }

    [Theory]
    [InlineData("Herald:Telemetry:Metrics", "maybe")]
    [InlineData("Herald:Telemetry:PublicMetrics", "yes please")]
    [InlineData("Herald:Telemetry:Traces", "sometimes")]
    public void A_value_that_is_not_a_boolean_stops_the_start_naming_the_key(string key, string value)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create(key, (string?)value)]);
        var refused = Assert.Throws<HeraldStartupException>(() => builder.AddHeraldTelemetry("herald-test"));
        Assert.Contains(key, refused.Message, StringComparison.Ordinal);
        Assert.Contains(value, refused.Message, StringComparison.Ordinal);
    }
}
