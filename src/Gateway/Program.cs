using Herald.Infrastructure.Hosting;
using Herald.Gateway.Hosting;
using Herald.Infrastructure.Security;

if (KeysCommand.TryRun(args, Console.Out, out var exitCode))
    return exitCode;

return HeraldHostDefaults.Run(() =>
{
    var builder = HeraldHostDefaults.CreateBuilder(args);
    builder.AddHeraldGateway();
    var app = builder.Build();
    app.MapHeraldGateway();
    return app;
});
