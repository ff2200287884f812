#!/usr/bin/env bash
# A Herald cluster on this machine without Docker: a throwaway PostgreSQL in a temp dir, a throwaway cluster
# certificate (deploy/cluster-cert.sh), then N silos and M gateways as plain processes on 127.0.0.1 that talk to
# each other over mutual TLS. Prints their URLs; Ctrl-C (or the end of --check) stops all.
#
#   deploy/local-cluster.sh [--silos N] [--gateways M] [--gateway-port P] [--silo-port P]
#                           [--configuration Release|Debug] [--no-build] [--check]
#
#   --check   start everything, wait until every process is ready, print the URLs, then stop (for CI).
#   A port of 0 lets each process take any free port (read back from its log): no race with other programs.
set -euo pipefail

silos=2 gateways=2 gateway_port=8000 silo_port=8200 configuration=Release build=1 check=0
while [ $# -gt 0 ]; do
    case "$1" in
        --silos) silos=$2; shift 2 ;;
        --gateways) gateways=$2; shift 2 ;;
        --gateway-port) gateway_port=$2; shift 2 ;;
        --silo-port) silo_port=$2; shift 2 ;;
        --configuration) configuration=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --check) check=1; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
pg_bin=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)")
[ -x "$pg_bin/initdb" ] || { echo "PostgreSQL server binaries not found; install them: apt-get install -y postgresql" >&2; exit 1; }

# PostgreSQL refuses to run as root.
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { local port=$1; while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done; echo "$port"; }

work=$(mktemp -d /tmp/herald-local.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
pids=()

cleanup() {
    trap - EXIT INT TERM
    echo "stopping ${#pids[@]} Herald processes and PostgreSQL"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    as_postgres "$pg_bin/pg_ctl" -D "$work/pg" stop -m fast >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

as_postgres "$pg_bin/initdb" -D "$work/pg" -U herald --auth=trust -E UTF8 --no-locale >/dev/null
# Another program can take a port between the check and the bind: try a few.
pg_port=$(free_port 55432)
for attempt in 1 2 3 4 5; do
    as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
        -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1" start >/dev/null && break
    [ "$attempt" -eq 5 ] && { echo "PostgreSQL did not start; its log:" >&2; cat "$work/pg/server.log" >&2; exit 1; }
    pg_port=$(free_port $((pg_port + 1)))
done
connection="Host=127.0.0.1;Port=$pg_port;Username=herald;Database=postgres"

# The processes present it to each other on Orleans's ports; nothing without it joins or calls a grain.
"$root/deploy/cluster-cert.sh" "$work/certs" --days 30 >/dev/null
tls=(--Herald:Cluster:Tls:CertificatePath="$work/certs/cluster.crt" --Herald:Cluster:Tls:KeyPath="$work/certs/cluster.key"
     --Herald:Cluster:Tls:CaPath="$work/certs/ca.crt")

if [ "$build" -eq 1 ]; then
    dotnet build "$root/src/Gateway/Gateway.csproj" --configuration "$configuration" --nologo -v quiet >/dev/null
fi

start() { # role name port [extra args]
    local role=$1 name=$2 port=$3; shift 3
    local dll="$root/src/$role/bin/$configuration/net10.0/Herald.$role.dll"
    [ -f "$dll" ] || { echo "$dll is missing; build first (or drop --no-build)" >&2; exit 1; }
    dotnet "$dll" --urls "http://127.0.0.1:$port" --ConnectionStrings:Postgres="$connection" \
        --Herald:Cluster:SiloName="$name" --Herald:Delivery:AllowedNetworks:0=127.0.0.0/8 "${tls[@]}" "$@" >"$work/$name.log" 2>&1 &
    pids+=($!)
    if [ "$port" -eq 0 ]; then
        for _ in $(seq 1 240); do
            grep -q "Now listening on: " "$work/$name.log" 2>/dev/null && break
            sleep 0.25
        done
        port=$(grep -o "Now listening on: http://127.0.0.1:[0-9]*" "$work/$name.log" | head -n 1 | grep -o "[0-9]*$" || true)
        [ -n "$port" ] || { echo "$name did not start; its log:" >&2; cat "$work/$name.log" >&2; exit 1; }
    fi
    urls+=("$name http://127.0.0.1:$port")
}

urls=()
port=$silo_port
next_port() { if [ "$1" -eq 0 ]; then echo 0; else free_port "$1"; fi; }
for i in $(seq 1 "$silos"); do port=$(next_port "$port"); start Silo "silo-$i" "$port"; [ "$port" -eq 0 ] || port=$((port + 1)); done
port=$gateway_port
gateway_hosts_webhooks=$([ "$silos" -gt 0 ] && echo false || echo true)
for i in $(seq 1 "$gateways"); do
    port=$(next_port "$port"); start Gateway "gateway-$i" "$port" --Herald:Cluster:HostsWebhooks="$gateway_hosts_webhooks"; [ "$port" -eq 0 ] || port=$((port + 1))
done

for entry in "${urls[@]}"; do
    name=${entry%% *} url=${entry#* }
    for _ in $(seq 1 120); do
        curl -fsS "$url/readyz" >/dev/null 2>&1 && break
        sleep 0.5
    done
    curl -fsS "$url/readyz" >/dev/null 2>&1 || { echo "$name did not become ready; its log:" >&2; cat "$work/$name.log" >&2; exit 1; }
    grep -q "ports require TLS with a client certificate" "$work/$name.log" || { echo "$name does not run Orleans's ports over TLS; its log:" >&2; cat "$work/$name.log" >&2; exit 1; }
done

echo "Herald cluster ready (PostgreSQL on 127.0.0.1:$pg_port, Orleans's ports on mutual TLS with $work/certs, logs in $work):"
for entry in "${urls[@]}"; do echo "  $entry"; done
echo "Dashboard and API: ${urls[-1]#* }/ ; cluster view: ${urls[-1]#* }/api/cluster"
echo "The MCP bridge as an Orleans client of this cluster:"
echo "  ConnectionStrings__Postgres='$connection' Herald__Cluster__Tls__CertificatePath=$work/certs/cluster.crt \\"
echo "  Herald__Cluster__Tls__KeyPath=$work/certs/cluster.key Herald__Cluster__Tls__CaPath=$work/certs/ca.crt dotnet run --project src/McpBridge"

if [ "$check" -eq 1 ]; then
    exit 0
fi
echo "Ctrl-C stops everything."
wait
