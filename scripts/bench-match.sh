#!/usr/bin/env bash
# Whole-process benchmark of `watchlist match` against a brute-force baseline, in one run, on
# the same queries: imports the UN and OFAC SDN lists from ../shared into a temporary data
# directory, times `watchlist match --threads 1` on the development queries, times the
# brute-force baseline (every query against every name, token-sort edit ratio) on a sample,
# and prints queries per second of each and their ratio, plus start-up time and peak memory.
#
#   scripts/bench-match.sh [SAMPLE]      (SAMPLE: queries for the baseline, default 300)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$root/../shared" && pwd)
sample=${1:-300}
queries="$shared/eval/sets/dev.queries.jsonl"
cargo build --release -q -p watchlist-cli -p watchlist-matcher --example brute_force --manifest-path "$root/Cargo.toml"
bin="$root/target/release/watchlist"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$bin" --quiet --data-dir "$tmp/data" import "$shared/data/lists/un_sc" "$shared/data/lists/us_ofac_sdn" >/dev/null
"$bin" --quiet --data-dir "$tmp/data" screen "warm up" >/dev/null   # builds and persists the index
n=$(grep -c . "$queries")

secs() { /usr/bin/time -f "%e %M" -o "$tmp/time" "$@"; read -r wall rss < "$tmp/time"; }
secs "$bin" --quiet --data-dir "$tmp/data" match --limit 10 --threads 1 < /dev/null > /dev/null
startup=$wall
secs "$bin" --quiet --data-dir "$tmp/data" match --limit 10 --threads 1 < "$queries" > "$tmp/wl.jsonl"
wl_wall=$wall; wl_rss=$rss
secs "$bin" --quiet --data-dir "$tmp/data" match --limit 10 < "$queries" > /dev/null
all_wall=$wall
head -n "$sample" "$queries" > "$tmp/sample.jsonl"
index=$(ls "$tmp/data/index/"*.idx | head -1)
secs "$root/target/release/examples/brute_force" "$index" < "$tmp/sample.jsonl" > "$tmp/bf.jsonl"
bf_wall=$wall
python3 - "$n" "$startup" "$wl_wall" "$wl_rss" "$all_wall" "$sample" "$bf_wall" <<'PY'
import sys
n, startup, wl, rss, allc, sample, bf = (float(x) for x in sys.argv[1:])
wl_qps = n / max(wl - startup, 1e-9)
all_qps = n / max(allc - startup, 1e-9)
bf_qps = sample / max(bf, 1e-9)
print(f"queries: {int(n)} (baseline on the first {int(sample)})")
print(f"watchlist match --threads 1: {wl_qps:8.0f} queries/s  (start-up {startup:.2f}s, peak RSS {rss/1024:.0f} MiB)")
print(f"watchlist match, all cores:  {all_qps:8.0f} queries/s")
print(f"brute-force baseline:        {bf_qps:8.1f} queries/s")
print(f"ratio (watchlist 1 thread / brute force): {wl_qps / bf_qps:.0f}x")
print(f"ratio to the rapidfuzz reference of ../shared/eval (12.6 queries/s): {wl_qps / 12.6:.0f}x")
PY
