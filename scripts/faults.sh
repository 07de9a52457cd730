#!/usr/bin/env bash
# A failing backend against no cache: the release binary with the site cache on a
# backend that is healthy, hung (SIGSTOP), refusing, killed, or write-locked by
# another process, loaded with wrk on /all. One line per scenario:
#   name | req/s | p50 | p99 | non-2xx
# Needs wrk, redis-server and python3; uses ports 18200 and 6390-6391. See README
# "Reliability".
set -uo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release/pokedex
PORT=18200
SEED=$(mktemp -d)
trap 'rm -rf "$SEED"' EXIT
(cd "$SEED" && exec "$BIN" --addr 127.0.0.1:$PORT > log 2>&1) &
seeding=$!
until curl -fs -o /dev/null http://127.0.0.1:$PORT/; do sleep 0.2; done
kill $seeding; wait $seeding 2>/dev/null
run() { # name, extra args...
  local name=$1; shift
  local dir=$(mktemp -d)
  cp "$SEED"/pokedex.sqlite3* "$dir"/
  (cd $dir && exec $BIN --addr 127.0.0.1:$PORT --toolbar off --access-log off "$@" > $dir/log 2>&1) &
  local pid=$!
  for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:$PORT/ && break; sleep 0.2; done
  [ -n "$SETUP" ] && eval "$SETUP"
  wrk -t2 -c16 -d2s http://127.0.0.1:$PORT/all > /dev/null 2>&1
  local out=$(wrk -t2 -c16 -d8s --latency http://127.0.0.1:$PORT/all 2>&1)
  local rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  local p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  local p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  local bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "$name | $rps | $p50 | $p99 | ${bad:-0}"
  [ -n "$TEARDOWN" ] && eval "$TEARDOWN"
  kill $pid; wait $pid 2>/dev/null
  rm -rf $dir
}
SETUP= TEARDOWN= run "off (baseline)"
redis-server --port 6390 --save "" --appendonly no --daemonize yes --pidfile $SEED/r6390.pid > /dev/null; sleep 0.5
SETUP= TEARDOWN= run "redis healthy" --site-cache redis --redis-url redis://127.0.0.1:6390
SETUP='kill -STOP $(cat $SEED/r6390.pid)' TEARDOWN='kill -CONT $(cat $SEED/r6390.pid)' run "redis hung (SIGSTOP)" --site-cache redis --redis-url redis://127.0.0.1:6390
SETUP= TEARDOWN= run "redis refusing since start" --site-cache redis --redis-url redis://127.0.0.1:6391
SETUP='kill -9 $(cat $SEED/r6390.pid); sleep 0.3' TEARDOWN= run "redis killed after connecting" --site-cache redis --redis-url redis://127.0.0.1:6390
SETUP='python3 -c "
import sqlite3,time,sys
c=sqlite3.connect(\"$dir/pokedex.sqlite3\",isolation_level=None,timeout=1)
c.execute(\"BEGIN EXCLUSIVE\"); sys.stdout.flush(); time.sleep(30)" & LOCKER=$!; sleep 0.5' TEARDOWN='kill $LOCKER' run "database, cache table write-locked" --site-cache database
SETUP= TEARDOWN= run "database healthy" --site-cache database
