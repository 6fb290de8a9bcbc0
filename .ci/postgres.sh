#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for the test suite; print its admin URL.
#   usage: eval "$(.ci/postgres.sh start DIR PORT)"   ...   .ci/postgres.sh stop DIR
# Debian's packages (postgresql) provide initdb and pg_ctl; as root the cluster runs as `postgres`.
set -euo pipefail
action=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case $action in
start)
    port=$3
    mkdir -p "$dir" && { [ "$(id -u)" != 0 ] || chown postgres "$dir"; }
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync >&2
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >&2
    echo "export PEAKLOAD_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
    ;;
esac
