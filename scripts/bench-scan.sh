#!/usr/bin/env bash
# Document-scan throughput with all the shared lists loaded.
#
# Usage: scripts/bench-scan.sh [SIZE_MB]   (default 100)
#
# Builds the release binary, imports every list in ../shared/data/lists (all folders but
# us_ofac_sdn_history, which holds past copies of us_ofac_sdn) into a temporary data
# directory, assembles an English corpus of SIZE_MB from the lists' own narrative remarks (UN
# Security Council comments, EU, UK and OFAC remarks, 345 KB of distinct text repeated to
# size: see crates/screen/examples/bench_corpus.rs), then times `watchlist scan` on one core
# (RAYON_NUM_THREADS=1) and on all cores, with JSON output (every mention with its
# explanation) and CSV output. Prints per run the wall time, the CPU time (user + system,
# from /usr/bin/time when present), MB/s of wall time, and the ratio to the target of
# 20 MB/s per core (issue: document scan throughput). The machine load is printed before
# each run: on a shared machine, the wall time of the all-cores runs is only a lower bound.
# The remarks are far denser in listed names than news text (about 8 mentions per KB), so a
# good part of the time goes into verifying and writing out mentions; --format csv shows the
# scanning itself more closely. The corpus repeats, so spans already verified are answered
# from the scanner's per-thread cache after the first 345 KB of each thread.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
size="${1:-100}"
lists=../shared/data/lists
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p watchlist-cli -p watchlist-screen --bin watchlist --example bench_corpus
tdir="${CARGO_TARGET_DIR:-target}"
bin="$tdir/release/watchlist"
"$bin" --data-dir "$work/data" -q import "$lists"/us_ofac_sdn "$lists"/us_ofac_cons "$lists"/un_sc "$lists"/eu_fsf \
  "$lists"/gb_fcdo "$lists"/us_bis_dpl "$lists"/us_csl "$lists"/opensanctions >/dev/null
"$tdir"/release/examples/bench_corpus "$work/corpus.txt" "$size"
bytes=$(stat -c %s "$work/corpus.txt")
# warm the index (built and persisted on first use)
echo "warm-up" > "$work/w.txt"; "$bin" --data-dir "$work/data" -q scan "$work/w.txt" >/dev/null

target=20 # MB/s per core
run() { # run LABEL THREADS FORMAT
  local load start end cpu=""
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s.%N)
  if [[ -x /usr/bin/time ]]; then
    RAYON_NUM_THREADS="$2" /usr/bin/time -f "%U %S" -o "$work/cpu" \
      "$bin" --data-dir "$work/data" -q scan "$work/corpus.txt" --format "$3" > "$work/out"
    cpu=$(awk '{ print $1 + $2 }' "$work/cpu")
  else
    RAYON_NUM_THREADS="$2" "$bin" --data-dir "$work/data" -q scan "$work/corpus.txt" --format "$3" > "$work/out"
  fi
  end=$(date +%s.%N)
  awk -v l="$1" -v s="$start" -v e="$end" -v b="$bytes" -v n="$(wc -l < "$work/out")" -v c="$cpu" \
    -v th="$2" -v tg="$target" -v ld="$load" \
    'BEGIN { t = e - s; mb = b / 1048576; r = mb / t
      cs = c == "" ? "" : sprintf("%6.1f s CPU", c)
      printf "%-26s %6.1f s wall %s  %6.1f MB/s  %5.2fx the target of %d MB/s per core x %d  (load %s; %d lines of output)\n", \
        l, t, cs, r, r / (tg * th), tg, th, ld, n }'
}
echo "corpus: $((bytes / 1048576)) MB of list remarks; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
run "1 thread, --format json" 1 json
run "1 thread, --format csv" 1 csv
run "all cores, --format json" "$(nproc)" json
run "all cores, --format csv" "$(nproc)" csv
