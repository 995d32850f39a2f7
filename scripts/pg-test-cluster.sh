#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: `start DIR` creates one in DIR (owned by
# an unprivileged user when run as root, since PostgreSQL refuses to run as root), listening
# only on 127.0.0.1 at a free port, and writes its URL to DIR/url; `stop DIR` stops it and
# removes DIR. With PG_CLUSTER_DURABLE=1 the cluster keeps PostgreSQL's durable defaults
# (fsync, synchronous commit), as the benchmarks want, and analyzes changed tables promptly.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "pg-test-cluster: PostgreSQL is not installed (scripts/install-deps.sh installs it)" >&2; exit 1; }

# Runs a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U tandem --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # The first free port from 55432.
    port=55432
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    # fsync off: the tests kill Tandem, never the server, and a test cluster is disposable.
    durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    # The benchmarks' tables grow from empty to millions of rows in seconds, where a
    # server in use has statistics that settled long ago: analyzing within a second of
    # a change (instead of a minute) keeps their plans those of a server in use.
    [ "${PG_CLUSTER_DURABLE:-0}" = 1 ] && durability="-c autovacuum_naptime=1s"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
      "-c listen_addresses=127.0.0.1 -p $port -k $dir $durability -c max_connections=200" >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U tandem tandem_test
    echo "postgresql://tandem@127.0.0.1:$port/tandem_test" >"$dir/url"
    cat "$dir/url"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
