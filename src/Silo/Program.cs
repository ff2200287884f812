using Herald.Silo.Hosting;
using Herald.Silo.Telemetry;

// The headless silo: webhook grains and the rest of Herald's grains, with health endpoints for orchestrators.
var builder = HeraldHostDefaults.CreateBuilder(args);
if (SiloWorkerExtensions.MissingClusterConfiguration(builder.Configuration) is { } problem)
{
    Console.Error.WriteLine(problem);
    return 1;
}

return HeraldHostDefaults.Run(() =>
{
    builder.AddHeraldSiloWorker();
    var app = builder.Build();
    app.MapHealthApi();
    app.MapMetricsApi();
    return app;
});
