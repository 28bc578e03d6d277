#!/usr/bin/env bash
# Installs what is missing on a Debian machine and starts PostgreSQL, Redis and the local
# S3 server when they are not running. Idempotent; used by `make demo` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need=()
command -v psql >/dev/null || need+=(postgresql postgresql-client)
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
command -v pg_dump >/dev/null || need+=(postgresql-client)
for pkg in libdmtx0b libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core python3-venv poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "Installation des paquets Debian manquants : ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

mkdir -p var/log var/run

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "Démarrage de PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -1)
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1" >/dev/null 2>&1; then
  # A fresh Debian cluster only trusts the postgres system user on the local socket.
  echo "PostgreSQL : autorisation locale pour le développement (trust sur 127.0.0.1)"
  hba=$($SUDO -u postgres psql -tAc "show hba_file" 2>/dev/null || su postgres -c "psql -tAc 'show hba_file'")
  $SUDO sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  version=$(ls /etc/postgresql | sort -V | tail -1)
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Démarrage de Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --logfile "$PWD/var/log/redis.log"
  for _ in $(seq 1 20); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

if ! curl -s -o /dev/null http://127.0.0.1:9000/ ; then
  echo "Démarrage du serveur S3 local (moto)"
  nohup .venv/bin/moto_server -H 127.0.0.1 -p 9000 >var/log/s3.log 2>&1 &
  echo $! > var/run/s3.pid
  for _ in $(seq 1 30); do curl -s -o /dev/null http://127.0.0.1:9000/ && break; sleep 0.5; done
fi
