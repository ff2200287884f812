using Herald.Infrastructure.Hosting;
using Herald.Infrastructure.Telemetry;

// The headless silo: webhook grains and the rest of Herald's grains, with health endpoints for orchestrators.
return HeraldHostDefaults.Run(() =>
{
    var builder = HeraldHostDefaults.CreateBuilder(args);
    builder.AddHeraldSiloWorker();
    var app = builder.Build();
    app.MapHealthApi();
    app.MapMetricsApi();
    return app;
});
