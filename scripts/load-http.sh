#!/usr/bin/env bash
# HTTP load test of `watchlist serve` on loopback, against `watchlist match` on the same queries.
#
# Imports the UN and OFAC SDN lists from ../shared into a temporary data directory, then:
#  1. times `watchlist match` (all cores, and --threads 1) on the single-name queries of the
#     development set (name and schema only), with user+system CPU time;
#  2. starts `watchlist serve` on a free loopback port and sends the same queries to
#     POST /v1/match, one name per request, from 1, 16 and 256 keep-alive connections for
#     SECONDS each (crates/server/examples/load.rs): requests/s, p50/p90/p99 latency, errors,
#     and the server's CPU seconds;
#     Then 256 connections again at half that throughput, on a fixed schedule (open loop), for
#     the latency of a server that is busy but not saturated;
#  3. runs the 256-connection load again while POST /v1/admin/update imports another list
#     (a hot reload under load): the error count must be 0.
# Prints a Markdown table for the README. Loopback only; every run is bounded in time.
#
#   scripts/load-http.sh [SECONDS]        (default 10 per run; about 2 minutes in all)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$root/../shared" && pwd)
secs=${1:-10}
queries_src="$shared/eval/sets/dev.queries.jsonl"
cargo build --release -q -p watchlist-cli --manifest-path "$root/Cargo.toml"
cargo build --release -q -p watchlist-server --example load --manifest-path "$root/Cargo.toml"
bin="$root/target/release/watchlist"
load="$root/target/release/examples/load"
tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

data="$tmp/data"
"$bin" --quiet --data-dir "$data" import "$shared/data/lists/un_sc" "$shared/data/lists/us_ofac_sdn" >/dev/null
"$bin" --quiet --data-dir "$data" screen "warm up" >/dev/null   # builds and persists the index
# single-name queries: the development set's names and schemas, nothing else
python3 - "$queries_src" "$tmp/queries.jsonl" <<'PY'
import json, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as out:
    for line in f:
        q = json.loads(line)
        if q.get("name"):
            out.write(json.dumps({"id": q["id"], "name": q["name"], "schema": q.get("schema", "LegalEntity")}) + "\n")
PY
n=$(grep -c . "$tmp/queries.jsonl")

# 1. the CLI on the same queries
cli() {  # threads -> "qps cpu_seconds"
  /usr/bin/time -f "%e %U %S" -o "$tmp/time" "$bin" --quiet --data-dir "$data" match --limit 10 $1 < "$tmp/queries.jsonl" > /dev/null
  /usr/bin/time -f "%e %U %S" -o "$tmp/time0" "$bin" --quiet --data-dir "$data" match --limit 10 $1 < /dev/null > /dev/null
  read -r wall user sys < "$tmp/time"; read -r wall0 user0 sys0 < "$tmp/time0"
  python3 -c "import sys; n,w,u,s,w0,u0,s0=map(float,sys.argv[1:]); print(f'{n/max(w-w0,1e-9):.0f} {max(u+s-u0-s0,1e-9):.2f}')" "$n" "$wall" "$user" "$sys" "$wall0" "$user0" "$sys0"
}
read -r cli_qps cli_cpu <<<"$(cli "")"
read -r cli1_qps cli1_cpu <<<"$(cli "--threads 1")"
cli_per_cpu=$(python3 -c "print(f'{$n/$cli_cpu:.0f}')")

# 2. the server
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1]); s.close()")
admin=$("$bin" --quiet --data-dir "$data" serve --add-key load-test --role admin)
"$bin" --quiet --data-dir "$data" serve --listen "127.0.0.1:$port" 2>"$tmp/serve.log" &
server_pid=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "the server did not start:"; cat "$tmp/serve.log"; exit 1; }
"$load" --url "http://127.0.0.1:$port" --queries "$tmp/queries.jsonl" --connections 16 --seconds 2 >/dev/null   # warm up

declare -A res
for c in 1 16 256; do
  res[$c]=$("$load" --url "http://127.0.0.1:$port" --queries "$tmp/queries.jsonl" --connections "$c" --seconds "$secs" --server-pid "$server_pid")
  echo "${res[$c]}"
done
# 256 connections at half the saturation rate (open loop: latency counts from the scheduled send)
half=$(python3 -c "print(int(float('$(sed -n 's/.*\brps=\([^ ]*\).*/\1/p' <<<"${res[256]}")') / 2))")
res[paced]=$("$load" --url "http://127.0.0.1:$port" --queries "$tmp/queries.jsonl" --connections 256 --rate "$half" --seconds "$secs" --server-pid "$server_pid")
echo "${res[paced]}"
# 3. hot reload under load: import the EU list while 256 connections screen
reload=$("$load" --url "http://127.0.0.1:$port" --queries "$tmp/queries.jsonl" --connections 256 --seconds "$secs" \
  --server-pid "$server_pid" --reload-at 2 --admin-key "$admin" --import "$shared/data/lists/us_ofac_cons")
echo "$reload"

field() { sed -n "s/.*\b$2=\([^ ]*\).*/\1/p" <<<"$1"; }
echo
echo "Queries: $n single names from the development set (../shared/eval/sets/dev.queries.jsonl); lists: un_sc + us_ofac_sdn."
echo "watchlist match: $cli_qps queries/s on all cores, $cli1_qps with --threads 1; $cli_per_cpu queries per CPU second."
echo
echo "| connections | requests/s | p50 ms | p90 ms | p99 ms | errors | requests per server CPU second | vs. \`watchlist match\` per CPU second |"
echo "|---|---|---|---|---|---|---|---|"
for c in 1 16 256 paced; do
  r=${res[$c]}
  per=$(field "$r" rps_per_server_cpu_s)
  label=$c; [[ $c == paced ]] && label="256 at $half req/s"
  echo "| $label | $(field "$r" rps) | $(field "$r" p50_ms) | $(field "$r" p90_ms) | $(field "$r" p99_ms) | $(field "$r" errors) | $per | $(python3 -c "print(f'{$per/$cli_per_cpu*100:.0f}%')") |"
done
echo
echo "Hot reload under 256 connections (POST /v1/admin/update importing us_ofac_cons at 2 s): requests=$(field "$reload" requests) errors=$(field "$reload" errors) p99_ms=$(field "$reload" p99_ms) reload_status=$(field "$reload" reload_status) reloaded=$(field "$reload" reloaded) reload_s=$(field "$reload" reload_s)"
errors=$(field "$reload" errors)
if [[ "$errors" != "0" || "$(field "$reload" reload_status)" != "200" ]]; then
  echo "FAILED: the hot reload dropped requests or failed" >&2
  exit 1
fi
