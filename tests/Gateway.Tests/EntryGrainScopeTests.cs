using System.Reflection;
using Herald.Gateway.Security;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Infrastructure.Security;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Gateway.Tests;

public sealed class EntryGrainScopeTests
{
    [Fact]
    public async Task Every_operation_of_the_entry_grain_needs_the_scope_of_the_http_route_of_the_same_name()
    {
        await using var server = await HeraldServer.StartAsync();
        var scopes = server.Services.GetRequiredService<OperationScopes>();
        var operations = typeof(IHeraldApiGrain).GetMethods();

        Assert.NotEmpty(operations);
        Assert.Equal(ApiScopes.All, TestKeys.Scopes);
        foreach (var operation in operations)
            Assert.Contains(scopes.For(operation), ApiScopes.All);

        Assert.Equal(ApiScopes.Push, scopes.For(Operation(nameof(IHeraldApiGrain.PushAsync))));
        Assert.Equal(ApiScopes.Manage, scopes.For(Operation(nameof(IHeraldApiGrain.CreateEndpointAsync))));
        Assert.Equal(ApiScopes.Manage, scopes.For(Operation(nameof(IHeraldApiGrain.UnregisterAsync))));
        Assert.Equal(ApiScopes.Manage, scopes.For(Operation(nameof(IHeraldApiGrain.CompleteActionAsync))));
        Assert.Equal(ApiScopes.Read, scopes.For(Operation(nameof(IHeraldApiGrain.ListEndpointsAsync))));
        Assert.Equal(ApiScopes.Read, scopes.For(Operation(nameof(IHeraldApiGrain.WaitForEventAsync))));
    }

    private static MethodInfo Operation(string name) => typeof(IHeraldApiGrain).GetMethod(name)!;
}
