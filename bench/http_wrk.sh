#!/usr/bin/env bash
# Rulings per second over HTTP: `ereje serve` on loopback, loaded by wrk (apt-get install wrk).
# Usage: bench/http_wrk.sh [seconds] [workers] [threads]   (run from the repository root)
set -euo pipefail
secs=${1:-10}; workers=${2:-2}; threads=${3:-4}; port=${PORT:-18180}
db=$(mktemp -d)/bench.db
ereje serve --port "$port" --db "$db" --workers "$workers" --threads "$threads" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/v1/rulings"
wrk -t1 -c2 -d2s -s bench/post.lua "$url" >/dev/null   # warm both workers
echo "server: $workers workers x $threads threads; wrk, ${secs}s per run"
for c in 1 8; do
  printf "concurrency %s: " "$c"
  wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"${secs}s" -s bench/post.lua "$url" | tail -1
done
