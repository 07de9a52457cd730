#!/usr/bin/env bash
# Soak and load: the release binary under wrk for a while, on a mix of pages and
# query strings, sampling its memory and open files; then its log volume and
# whether it still answers. Not part of CI (it takes minutes); see README
# "Reliability".
#
#   scripts/soak.sh [SECONDS] [-- pokedex flags...]
#   scripts/soak.sh 300 -- --site-cache redis
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
[ "${1:-}" = "--" ] && shift
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work" && exec "$OLDPWD/target/release/pokedex" --addr "127.0.0.1:$port" --toolbar off "$@" 2> "$work/log") &
pid=$!
until curl -fs -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.2; done
cat > "$work/mix.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local pick = n % 5
  local path
  if pick == 0 then path = "/"
  elseif pick == 1 then path = "/all?x=" .. n
  elseif pick == 2 then path = "/pokemon/" .. (n % 1025 + 1)
  elseif pick == 3 then path = "/type/" .. ({"grass", "fire", "water", "normal"})[n % 4 + 1]
  else path = "/pokemon/" .. (n % 2000) end
  return wrk.format("GET", path)
end
LUA
printf '%8s %10s %8s\n' seconds rss_kb fds
sample() { printf '%8s %10s %8s\n' "$1" "$(ps -o rss= -p "$pid" | tr -d ' ')" "$(ls "/proc/$pid/fd" | wc -l)"; }
sample 0
wrk -t2 -c64 -d"${seconds}s" --latency -s "$work/mix.lua" "http://127.0.0.1:$port" > "$work/wrk" &
load=$!
for ((t = 10; t <= seconds; t += 10)); do sleep 10; sample "$t"; done
wait "$load"
grep -E "Requests/sec|requests in|Non-2xx|Socket errors|^ +(50|99)%" "$work/wrk"
echo "log: $(wc -c < "$work/log") bytes, $(grep -c . "$work/log") lines"
curl -fs -o /dev/null -w "still answering: %{http_code}\n" "http://127.0.0.1:$port/all"
