#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a local port and prints its URL.
# PostgreSQL refuses to run as root, so the cluster belongs to the postgres user.
set -euo pipefail
PORT="${CONVENE_PG_PORT:-54329}"
DIR="${CONVENE_PG_DIR:-/tmp/convene-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
if ! id postgres >/dev/null 2>&1; then
  echo "no postgres user: install Debian's postgresql package" >&2
  exit 1
fi
if [ ! -f "$DIR/PG_VERSION" ]; then
  rm -rf "$DIR"; mkdir -p "$DIR"; chown postgres:postgres "$DIR"
  su postgres -c "$BIN/initdb -D $DIR -A trust -U postgres" >/dev/null
fi
if ! su postgres -c "$BIN/pg_ctl -D $DIR status" >/dev/null 2>&1; then
  su postgres -c "$BIN/pg_ctl -D $DIR -l $DIR/log -w -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300' start" >/dev/null
fi
su postgres -c "$BIN/psql -h 127.0.0.1 -p $PORT -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='convene_test'\"" | grep -q 1 \
  || su postgres -c "$BIN/createdb -h 127.0.0.1 -p $PORT -U postgres convene_test"
echo "postgresql+asyncpg://postgres@127.0.0.1:$PORT/convene_test"
