# Herald MCP bridge: multi-stage build; runs as the non-root user the .NET images provide.
# stdio is the default transport (docker run -i); pass --http to serve Streamable HTTP on 8080 instead. Over HTTP the
# image listens on every interface, so it needs a key of its own or it refuses to start: make one with
#   docker run --rm herald-mcp-bridge:latest keys new --name claude
# and pass Herald__Mcp__Keys__0__Name and Herald__Mcp__Keys__0__Hash; callers send Authorization: Bearer <key>.
# Requests must name a Host the bridge serves (Herald__Mcp__AllowedHosts__0=<name>, or * when the key is the only gate).
# As an Orleans client of a cluster (ConnectionStrings__Postgres), mount the cluster's certificate and set
# Herald__Cluster__Tls__CertificatePath, KeyPath and CaPath, and Herald__ApiKey once the cluster has API keys.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/McpBridge/McpBridge.csproj --configuration Release --output /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "Herald.McpBridge.dll"]
