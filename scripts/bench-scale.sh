#!/usr/bin/env bash
# Scale curve of the matcher: synthetic list entities at 10k, 100k and 1M (names drawn from
# the real lists' words) next to the real UN + OFAC SDN lists in the same run; prints index
# build time, median and p99 query latency, the median's ratio to the real lists, and peak
# memory. Sizes can be given: scripts/bench-scale.sh 10000 100000
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
queries="$root/../shared/eval/sets/dev.queries.jsonl"
cargo build --release -q -p watchlist-matcher --example scale --manifest-path "$root/Cargo.toml"
exec "$root/target/release/examples/scale" "$queries" "$@"
