# Herald MCP bridge: multi-stage build; runs as the non-root user the .NET images provide.
# stdio is the default transport (docker run -i); pass --http to serve Streamable HTTP on 8080 instead.
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
