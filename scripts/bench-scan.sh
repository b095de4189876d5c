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
# (RAYON_NUM_THREADS=1: one scanning thread; the main thread reads the file and writes the
# output of a batch of blocks while the next is scanned) and on all cores, with JSON output
# (every mention with its explanation) and CSV output. Prints per run the wall time, the CPU
# time (user + system, from /usr/bin/time when present), MB/s of wall time and the ratio to
# the target of 20 MB/s per core (issue: document scan throughput), then MB per CPU-second.
# The machine load is printed before each run: on a shared machine, wall times are only a
# lower bound, and the all-cores runs get the cores the other work leaves.
# The remarks are far denser in listed names than news text (about 8 mentions per KB): the
# JSON output is about 7 times the size of the text (720 MB for 100 MB), and writing it to the
# file costs kernel time that CSV (about the size of the text) does not; --format csv shows
# the scanning itself more closely. The corpus repeats, so words already read and spans
# already verified are answered from the scanner's per-thread caches after the first 345 KB
# of each thread.
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
      pc = c == "" ? "" : sprintf("; %.1f MB per CPU-second", mb / c)
      printf "%-26s %6.1f s wall %s  %6.1f MB/s  %5.2fx the target of %d MB/s per core x %d  (load %s; %d lines of output%s)\n", \
        l, t, cs, r, r / (tg * th), tg, th, ld, n, pc }'
}
echo "corpus: $((bytes / 1048576)) MB of list remarks; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
run "1 thread, --format json" 1 json
run "1 thread, --format csv" 1 csv
run "all cores, --format json" "$(nproc)" json
run "all cores, --format csv" "$(nproc)" csv
