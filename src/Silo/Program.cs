using Herald.Silo.Cluster;
using Herald.Silo.Hosting;

// The headless silo: webhook grains of the partitions it holds, plus health and silo-to-silo endpoints.
var builder = HeraldHostDefaults.CreateBuilder(args);
if (SiloWorkerExtensions.MissingClusterConfiguration(builder.Configuration) is { } problem)
{
    await Console.Error.WriteLineAsync(problem);
    return 1;
}

builder.AddHeraldSiloWorker();
var app = builder.Build();
app.MapHealthApi();
app.MapGrainCallApi();
await app.RunAsync();
return 0;
