#!/usr/bin/env bash
# Everything docker-compose.yml reads from deploy/certs before its first start, made once:
#   - the cluster's certificate for mutual TLS on the Orleans ports (deploy/cluster-cert.sh);
#   - herald.env: API keys by hash (an operator key with every scope, and a read key for Prometheus);
#   - prometheus.key: that read key, which the observability profile's Prometheus sends when it scrapes.
# The operator key is printed once and stored nowhere; run it again to keep what exists, or with --new-keys to
# replace the keys (the certificate stays).
#
#   deploy/compose-init.sh [--new-keys]   then   docker compose up --build
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/deploy/certs"
new_keys=0
[ "${1:-}" = "--new-keys" ] && new_keys=1
[ $# -gt 0 ] && [ "$new_keys" -eq 0 ] && { sed -n '2,9p' "$0"; exit 2; }

command -v openssl >/dev/null || { echo "openssl is required: apt-get install -y openssl" >&2; exit 1; }
command -v sha256sum >/dev/null || { echo "sha256sum is required (coreutils)" >&2; exit 1; }

if [ ! -e "$dir/ca.key" ]; then
    "$root/deploy/cluster-cert.sh" "$dir" >/dev/null
    echo "Made the cluster's certificate in $dir."
fi

if [ -e "$dir/herald.env" ] && [ "$new_keys" -eq 0 ]; then
    echo "$dir/herald.env exists; its keys stay (--new-keys replaces them)."
    exit 0
fi

# A key as Herald makes them ('hk_' and 32 random bytes, base64url), and the hex SHA-256 that configures it.
new_key() { printf 'hk_%s' "$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\n')"; }
hash_of() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

operator=$(new_key)
prometheus=$(new_key)
(umask 077
 cat >"$dir/herald.env" <<EOF
# API keys of the compose stack, by hash (deploy/compose-init.sh). The keys themselves are not stored here.
Herald__Auth__Keys__0__Name=operator
Herald__Auth__Keys__0__Hash=$(hash_of "$operator")
Herald__Auth__Keys__0__Scopes__0=push
Herald__Auth__Keys__0__Scopes__1=manage
Herald__Auth__Keys__0__Scopes__2=read
Herald__Auth__Keys__0__Scopes__3=stream
Herald__Auth__Keys__1__Name=prometheus
Herald__Auth__Keys__1__Hash=$(hash_of "$prometheus")
Herald__Auth__Keys__1__Scopes__0=read
EOF
 printf '%s' "$prometheus" >"$dir/prometheus.key")
# Prometheus reads its key inside its container, as a user that is not you: the folder around it is yours alone.
chmod 644 "$dir/prometheus.key"

echo "API key for the operator (every scope); it is shown this once, so keep it:"
echo "  $operator"
echo "Send it as Authorization: Bearer <key>; open the dashboard at http://localhost:8000/ and give it there."
