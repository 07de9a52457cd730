#!/usr/bin/env bash
# The measuring campaign of issue 15: pokedex against nginx serving the same bytes
# (the ceiling) and against the tutorial's Django app under gunicorn (the reference),
# every configuration on a fresh server, loaded with wrk on loopback.
#
#   scripts/perf.sh [all|pokedex|nginx|django]...     (default: all)
#
# POKEDEX_BIN   the binary to measure (default target/release/pokedex); its catalogue
#               is the data of every side, and its pages the bytes nginx serves
# PERF_DIR      where results and the Django venv live (default target/perf)
# PERF_PORT     the loopback port servers listen on, one at a time (default 18300)
# PERF_WARMUP, PERF_DURATION   wrk's warm-up and measured run (default 2s, 10s)
#
# Each configuration: start the server, warm up with `wrk -t2 -c16`, then measure
# with `wrk -t2 -c16 --latency --timeout 10s`, reading the server's CPU time (utime+stime of its
# processes, from /proc) before and after, and its peak RSS (VmHWM, summed over its
# processes). Rows are kept in $PERF_DIR/results.tsv, a side's rows replaced when it
# is measured again, so rerunning one side still prints every ratio; the machine's
# load before each run goes to $PERF_DIR/load.log. The Markdown table goes to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$(realpath "${POKEDEX_BIN:-target/release/pokedex}")
PERF_DIR=$(realpath -m "${PERF_DIR:-target/perf}")
PORT=${PERF_PORT:-18300}
WARMUP=${PERF_WARMUP:-2s}
DURATION=${PERF_DURATION:-10s}
URL=http://127.0.0.1:$PORT
BROWSER_ENCODINGS='gzip, deflate, br, zstd'
# Loopback clients see the toolbar and the lab's links, and get identity so their pages
# can be edited: measured as a visitor, pokedex counts no loopback client as its own
# (192.0.2.1 is a documentation address no client has).
VISITOR=(--toolbar off --internal-ips 192.0.2.1)
RESULTS=$PERF_DIR/results.tsv
LOAD_LOG=$PERF_DIR/load.log
PREFIX=pokedex-perf-$$
TICKS=$(getconf CLK_TCK)

sides=("${@:-all}")
for side in "${sides[@]}"; do
  case $side in
    all) sides=(pokedex nginx django) ;;
    pokedex | nginx | django) ;;
    *) echo "usage: scripts/perf.sh [all|pokedex|nginx|django]..." >&2; exit 2 ;;
  esac
done
for tool in wrk curl redis-cli; do
  command -v "$tool" > /dev/null || { echo "perf.sh: $tool is needed" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "perf.sh: no pokedex binary at $BIN (cargo build --release)" >&2; exit 1; }
if curl -s -o /dev/null "$URL/"; then
  echo "perf.sh: port $PORT is in use; set PERF_PORT" >&2; exit 1
fi
mkdir -p "$PERF_DIR"
TMP=$(mktemp -d)
SERVER=
SUBJECT=

# Deletes this run's Redis keys, pokedex's and Django's: only those under its prefix.
clean_redis() {
  redis-cli --scan --pattern "$PREFIX-*" | xargs -r -d '\n' redis-cli DEL > /dev/null ||
    log "could not delete the Redis keys $PREFIX-*"
}

cleanup() {
  [ -z "$SERVER" ] || stop_server
  clean_redis
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "perf.sh: $*" >&2; }

wait_until_up() {
  for _ in $(seq 150); do
    curl -fs -o /dev/null "$URL/" && return
    kill -0 "$SERVER" 2> /dev/null || break
    sleep 0.2
  done
  log "the server did not answer on $URL; its logs:"
  tail -n 20 "$TMP"/*/*log* >&2
  exit 1
}

stop_server() {
  kill "$SERVER" 2> /dev/null || true
  wait "$SERVER" 2> /dev/null || true
  SERVER=
  clean_redis
}

# A fresh working directory holding a copy of the catalogue.
fresh_dir() {
  rm -rf "$TMP/run"
  mkdir "$TMP/run"
  cp "$TMP"/seed/pokedex.sqlite3* "$TMP/run/"
}

start_pokedex() { # flags...
  fresh_dir
  (cd "$TMP/run" && exec "$BIN" --addr "127.0.0.1:$PORT" --caches-redis-key-prefix "$PREFIX-pokedex" \
    "$@" 2> log > /dev/null) &
  SERVER=$!
  wait_until_up
}

# The processes whose CPU time and memory count: the server and its children.
server_pids() {
  echo "$SERVER"
  pgrep -P "$SERVER" || true
}

cpu_ticks() {
  local total=0 pid
  for pid in $(server_pids); do
    total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  echo "$total"
}

peak_rss_kb() {
  local pid
  for pid in $(server_pids); do awk '/^VmHWM/ {print $2}' "/proc/$pid/status"; done | awk '{s += $1} END {print s}'
}

# wrk's latency (`1.23ms`, `456.00us`, `1.02s`) in milliseconds.
in_ms() {
  awk -v t="$1" 'BEGIN {
    n = t + 0; u = t; sub(/^[0-9.]+/, "", u)
    printf "%.2f", (u == "us" ? n / 1000 : u == "s" ? n * 1000 : u == "m" ? n * 60000 : n)
  }'
}

# Measures the running server on a page and appends a row to $TMP/rows.
#   measure SIDE KEY LABEL PAGE [HEADER]
measure() {
  local side=$1 key=$2 label=$3 page=$4 header=${5:-}
  local wrk_args=(-t2 -c16 --timeout 10s) curl_args=()
  if [ -n "$header" ]; then wrk_args+=(-H "$header") curl_args+=(-H "$header"); fi
  {
    echo "=== $(date -Is) $side $label $page"
    uptime
    top -bn1 -w 160 | sed -n '7,17p'
  } >> "$LOAD_LOG"
  local load bytes encoding verdict
  load=$(cut -d' ' -f1 /proc/loadavg)
  wrk "${wrk_args[@]}" -d"$WARMUP" "$URL$page" > /dev/null
  IFS='|' read -r bytes encoding verdict < <(curl -s -o /dev/null "${curl_args[@]}" \
    -w '%{size_download}|%header{content-encoding}|%header{x-cache}\n' "$URL$page")
  [ -z "$encoding" ] || label="$label (body $encoding)"
  [ -z "$verdict" ] || [ "$verdict" = HIT ] || label="$label (X-Cache: $verdict after the warm-up)"
  local before after out
  before=$(cpu_ticks)
  out=$(wrk "${wrk_args[@]}" -d"$DURATION" --latency "$URL$page")
  after=$(cpu_ticks)
  local rps requests p50 p99 errors cpu_us
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<< "$out")
  requests=$(awk '/requests in/ {print $1}' <<< "$out")
  p50=$(in_ms "$(awk '$1 == "50%" {print $2}' <<< "$out")")
  p99=$(in_ms "$(awk '$1 == "99%" {print $2}' <<< "$out")")
  errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<< "$out")
  cpu_us=$(awk -v t=$((after - before)) -v hz="$TICKS" -v n="$requests" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$side" "$key" "$label" "$page" \
    "$rps" "$p50" "$p99" "$cpu_us" "$(peak_rss_kb)" "$bytes" "$errors" "$load" "$(date -Iseconds)" \
    "$SUBJECT" >> "$TMP/rows"
  log "$side $label $page: $rps req/s, CPU $cpu_us µs/request, load $load"
}

# The catalogue every side reads, and the pages nginx serves: from one pokedex run.
seed() {
  mkdir "$TMP/seed"
  (cd "$TMP/seed" && exec "$BIN" --addr "127.0.0.1:$PORT" "${VISITOR[@]}" 2> log > /dev/null) &
  SERVER=$!
  wait_until_up
  curl -fs -o "$TMP/seed/index.html" -w '%{content_type}' "$URL/" > "$TMP/seed/content-type"
  curl -fs -o "$TMP/seed/all.html" "$URL/all"
  stop_server
}

run_pokedex() {
  local backend
  SUBJECT=$BIN
  start_pokedex "${VISITOR[@]}"
  measure pokedex "off /" "uncached" /
  measure pokedex "off /all" "uncached" /all
  stop_server
  for backend in memory file database redis; do
    start_pokedex "${VISITOR[@]}" --site-cache "$backend"
    measure pokedex "site $backend /" "per-site $backend" /
    measure pokedex "site $backend /all" "per-site $backend" /all
    measure pokedex "site $backend /all browser" "per-site $backend, Accept-Encoding: $BROWSER_ENCODINGS" \
      /all "Accept-Encoding: $BROWSER_ENCODINGS"
    stop_server
  done
  start_pokedex --toolbar on --site-cache memory
  measure pokedex "site memory /all toolbar" "per-site memory, toolbar on for the client" /all
  stop_server
  start_pokedex "${VISITOR[@]}" --view-cache memory
  measure pokedex "view memory /all" "per-view memory" /all
  stop_server
  start_pokedex "${VISITOR[@]}" --fragment-cache memory
  measure pokedex "fragment memory /all" "fragment memory" /all
  stop_server
}

run_nginx() {
  command -v nginx > /dev/null || { log "nginx is needed (apt nginx-light)"; exit 1; }
  SUBJECT=$(nginx -v 2>&1)
  fresh_dir
  mkdir "$TMP/run/www"
  cp "$TMP/seed/index.html" "$TMP/seed/all.html" "$TMP/run/www/"
  chmod -R a+rX "$TMP" # nginx's worker runs as nobody when started by root
  cat > "$TMP/run/nginx.conf" << EOF
daemon off;
worker_processes 1;
pid $TMP/run/nginx.pid;
error_log $TMP/run/error.log;
events { worker_connections 1024; }
http {
  access_log $TMP/run/access.log;
  sendfile on;
  # pokedex never closes a busy keep-alive connection: neither does the ceiling.
  keepalive_requests 1000000;
  types { }
  default_type "$(cat "$TMP/seed/content-type")";
  client_body_temp_path $TMP/run/body;
  proxy_temp_path $TMP/run/proxy;
  fastcgi_temp_path $TMP/run/fastcgi;
  uwsgi_temp_path $TMP/run/uwsgi;
  scgi_temp_path $TMP/run/scgi;
  server {
    listen 127.0.0.1:$PORT;
    root $TMP/run/www;
    location = / { try_files /index.html =404; }
    location = /all { try_files /all.html =404; }
  }
}
EOF
  nginx -p "$TMP/run" -c "$TMP/run/nginx.conf" -e "$TMP/run/error.log" &
  SERVER=$!
  wait_until_up
  measure nginx "nginx /" "nginx, the same bytes" /
  measure nginx "nginx /all" "nginx, the same bytes" /all
  stop_server
}

django_venv() {
  local venv=$PERF_DIR/venv requirements=$ROOT/scripts/reference/requirements.txt
  if ! cmp -s "$requirements" "$venv/requirements.txt"; then
    log "installing Django, gunicorn and redis into $venv"
    rm -rf "$venv"
    python3.11 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
  fi
}

start_django() { # strategy backend
  fresh_dir
  local venv=$PERF_DIR/venv reference=$ROOT/scripts/reference
  local settings=(PYTHONDONTWRITEBYTECODE=1 REFERENCE_DATABASE="$TMP/run/pokedex.sqlite3"
    REFERENCE_CACHE="$1" REFERENCE_BACKEND="$2" REFERENCE_CACHE_DIR="$TMP/run/cache"
    REFERENCE_KEY_PREFIX="$PREFIX-django")
  if [ "$2" = database ]; then
    env "${settings[@]}" "$venv/bin/python" "$reference/manage.py" createcachetable >&2
  fi
  env "${settings[@]}" "$venv/bin/gunicorn" --chdir "$reference" --workers 2 --bind "127.0.0.1:$PORT" \
    --access-logfile "$TMP/run/access.log" --error-logfile "$TMP/run/error.log" \
    reference.wsgi:application &
  SERVER=$!
  wait_until_up
}

run_django() {
  local backend
  django_venv
  SUBJECT=$("$PERF_DIR/venv/bin/pip" freeze | grep -E '^(Django|gunicorn|redis)==' | paste -sd ' ')
  start_django off memory
  measure django "off /" "Django uncached" /
  measure django "off /all" "Django uncached" /all
  stop_server
  for backend in memory file database redis; do
    start_django site "$backend"
    measure django "site $backend /" "Django per-site $backend" /
    measure django "site $backend /all" "Django per-site $backend" /all
    stop_server
  done
  start_django view memory
  measure django "view memory /all" "Django per-view memory" /all
  stop_server
  start_django fragment memory
  measure django "fragment memory /all" "Django fragment memory" /all
  stop_server
}

# The table: every row kept, pokedex's rows with their ratios to nginx on the same
# page and to Django in the same configuration.
report() {
  echo
  echo "wrk -t2 -c16 -d$DURATION --timeout 10s after a $WARMUP warm-up; CPU is the server's (utime+stime)"
  echo "per request; RSS the peak (VmHWM) of its processes; body bytes as received by curl with wrk's"
  echo "headers; load the 1-minute average before the run ($(nproc) cores; top at $LOAD_LOG)."
  echo "÷ nginx (same page), ÷ Django (same configuration): pokedex's req/s over the reference's and, in"
  echo "brackets, the reference's CPU per request over pokedex's — above 1 when pokedex does better."
  echo
  echo "| config | page | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MB | body bytes | ÷ nginx | ÷ Django | load |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  awk -F'\t' '
    { side[NR] = $1; key[NR] = $2; rps[$1 " " $2] = $5; cpu[$1 " " $2] = $8; row[NR] = $0 }
    function ratio(ref) { return (ref in rps && r[8] > 0) ? sprintf("%.2f (%.2f)", r[5] / rps[ref], cpu[ref] / r[8]) : "" }
    END {
      for (i = 1; i <= NR; i++) {
        split(row[i], r, "\t")
        to_nginx = to_django = ""
        if (side[i] == "pokedex") {
          to_nginx = ratio("nginx nginx " r[4])
          to_django = ratio("django " key[i])
        }
        label = r[3] (r[11] > 0 ? " (" r[11] " errors)" : "")
        printf "| %s | `%s` | %s | %s | %s | %s | %.1f | %s | %s | %s | %s |\n", label, r[4], r[5], r[6], r[7], r[8], r[9] / 1024, r[10], to_nginx, to_django, r[12]
        if (!(side[i] in first)) { first[side[i]] = r[13]; order[++sides] = side[i] }
        last[side[i]] = r[13]; subject[side[i]] = r[14]
      }
      print ""
      for (i = 1; i <= sides; i++) print order[i] ": " subject[order[i]] ", measured " first[order[i]] " to " last[order[i]]
    }' "$RESULTS"
}

touch "$RESULTS" "$TMP/rows"
seed
for side in "${sides[@]}"; do
  "run_$side"
done
{
  for side in pokedex nginx django; do
    if [[ " ${sides[*]} " == *" $side "* ]]; then
      awk -F'\t' -v s="$side" '$1 == s' "$TMP/rows"
    else
      awk -F'\t' -v s="$side" '$1 == s' "$RESULTS"
    fi
  done
} > "$TMP/results.tsv"
mv "$TMP/results.tsv" "$RESULTS"
report
