using Herald.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddHeraldGateway();

var app = builder.Build();
app.MapHeraldGateway();
app.Run();
