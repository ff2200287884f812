using Herald.Silo.Cluster;
using Herald.Silo.Hosting;

// The headless silo: webhook grains of the partitions it holds, plus health and silo-to-silo endpoints.
var builder = WebApplication.CreateBuilder(args);
builder.AddHeraldSiloWorker();

var app = builder.Build();
app.MapHealthApi();
app.MapGrainCallApi();
app.Run();
