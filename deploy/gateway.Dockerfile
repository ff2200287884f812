# Herald gateway: multi-stage build; the runtime image runs as the non-root user the .NET images provide.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/Gateway/Gateway.csproj --configuration Release --output /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# Inside a container the process must listen on all interfaces; peers reach it on its container address. Reachable
# from elsewhere, it refuses to start without API keys: make one with
#   docker run --rm herald-gateway:latest keys new --name me
# and pass the Herald__Auth__Keys__0__* lines it prints (-e or --env-file). Its deliveries to private addresses are
# blocked unless Herald__Delivery__AllowedNetworks__N names them.
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
EXPOSE 8080
# Orleans silo-to-silo and client gateway ports (Herald__Cluster__SiloPort, GatewayPort); keep them on a private network.
EXPOSE 11111 30000
# Run without ConnectionStrings__Postgres, the gateway is an embedded hub that keeps its data file here: mount a volume
# on it to keep the data across containers. In cluster mode nothing is written here.
ENV Herald__DataPath=/data
RUN mkdir -p /data && chown $APP_UID /data
VOLUME /data
USER $APP_UID
ENTRYPOINT ["dotnet", "Herald.Gateway.dll"]
