using Herald.Silo.Hosting;

// The headless silo: webhook grains and the rest of Herald's grains, with health endpoints for orchestrators.
var builder = HeraldHostDefaults.CreateBuilder(args);
if (SiloWorkerExtensions.MissingClusterConfiguration(builder.Configuration) is { } problem)
{
    await Console.Error.WriteLineAsync(problem);
    return 1;
}

builder.AddHeraldSiloWorker();
var app = builder.Build();
app.MapHealthApi();
await app.RunAsync();
return 0;
