#!/usr/bin/env bash
# The certificates a Herald cluster's processes present to each other on Orleans's silo and gateway ports (mutual
# TLS): a CA of the cluster's own, and one certificate it issued that every silo, gateway and MCP bridge presents.
#
#   deploy/cluster-cert.sh [DIR] [--days N] [--ca-days N] [--renew]
#
#   DIR        where the files go (default: deploy/certs, which git and Docker ignore). It is made private to you.
#   --days     how long the cluster certificate is valid (default 397).
#   --ca-days  how long the CA is valid (default 3650).
#   --renew    issue a new cluster certificate from the CA already in DIR (the CA, and so the trust, stay).
#
# DIR then holds ca.crt, ca.key, cluster.crt and cluster.key. Give every process:
#   Herald__Cluster__Tls__CertificatePath=DIR/cluster.crt
#   Herald__Cluster__Tls__KeyPath=DIR/cluster.key
#   Herald__Cluster__Tls__CaPath=DIR/ca.crt
# ca.key only signs new certificates: keep it out of the deployment. cluster.key is readable by every user, so a
# container's own user can read it where it is mounted; the folder around it is yours alone.
# To move to a new CA without downtime, see the README (Security): trust both CAs, then switch certificates.
set -euo pipefail

dir=deploy/certs days=397 ca_days=3650 renew=0
while [ $# -gt 0 ]; do
    case "$1" in
        --days) days=$2; shift 2 ;;
        --ca-days) ca_days=$2; shift 2 ;;
        --renew) renew=1; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        -*) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
        *) dir=$1; shift ;;
    esac
done

command -v openssl >/dev/null || { echo "openssl is required: apt-get install -y openssl" >&2; exit 1; }
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"

if [ "$renew" -eq 1 ]; then
    [ -f ca.crt ] && [ -f ca.key ] || { echo "--renew needs ca.crt and ca.key in $dir" >&2; exit 1; }
else
    [ -e ca.key ] && { echo "$dir already holds a CA; use --renew for a new cluster certificate from it, or another folder for a new CA" >&2; exit 1; }
    (umask 077; openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days "$ca_days" \
        -subj "/CN=herald-cluster-ca-$(date -u +%Y%m%d%H%M%S)" -keyout ca.key -out ca.crt \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null)
fi

extensions=$(mktemp)
trap 'rm -f "$extensions" cluster.csr' EXIT
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' >"$extensions"
(umask 077; openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=herald-cluster" -keyout cluster.key -out cluster.csr 2>/dev/null)
openssl x509 -req -sha256 -in cluster.csr -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" -days "$days" \
    -extfile "$extensions" -out cluster.crt 2>/dev/null
chmod 644 ca.crt cluster.crt cluster.key
chmod 600 ca.key

echo "Cluster certificate in $(pwd): cluster.crt and cluster.key, issued by ca.crt ($(openssl x509 -in cluster.crt -noout -enddate))."
echo "Every silo, gateway and MCP bridge needs:"
echo "  Herald__Cluster__Tls__CertificatePath=$(pwd)/cluster.crt"
echo "  Herald__Cluster__Tls__KeyPath=$(pwd)/cluster.key"
echo "  Herald__Cluster__Tls__CaPath=$(pwd)/ca.crt"
