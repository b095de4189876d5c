#!/usr/bin/env bash
# Roster screening throughput: `watchlist batch` on a generated roster with all the shared
# lists loaded.
#
# Usage: scripts/bench-batch.sh [ROWS]   (default 1000000)
#
# The roster (crates/screen/examples/gen_roster.rs) combines first and last names from
# ../shared/data/negatives, mixes in DPRK persons and organisations of the UN list, employers
# and work addresses (some in occupied Donetsk oblast), and a few bad rows (a missing field
# every 100,000 rows, invalid UTF-8 every 250,000). Prints the time, rows per second and peak
# memory (from /usr/bin/time when present).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows="${1:-1000000}"
lists=../shared/data/lists
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p watchlist-cli -p watchlist-screen --bin watchlist --example gen_roster
tdir="${CARGO_TARGET_DIR:-target}"
bin="$tdir/release/watchlist"
"$bin" --data-dir "$work/data" -q import "$lists"/us_ofac_sdn "$lists"/us_ofac_cons "$lists"/un_sc "$lists"/eu_fsf \
  "$lists"/gb_fcdo "$lists"/us_bis_dpl "$lists"/us_csl "$lists"/opensanctions >/dev/null
"$tdir"/release/examples/gen_roster "$work/roster.csv" "$rows"
echo "warm-up" > "$work/w.txt"; "$bin" --data-dir "$work/data" -q scan "$work/w.txt" >/dev/null
map="id=Employee ID,name=Full Name,dob=Birth Date,nationality=Citizenship,passport=Passport No,address=Work Address"
echo "$rows rows, $(( $(stat -c %s "$work/roster.csv") / 1048576 )) MB; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -x /usr/bin/time ]]; then
  /usr/bin/time -f "%e s wall, %U s user CPU, peak RSS %M KB" "$bin" --data-dir "$work/data" batch "$work/roster.csv" --map "$map" -o "$work/hits.csv"
else
  time "$bin" --data-dir "$work/data" batch "$work/roster.csv" --map "$map" -o "$work/hits.csv"
fi
echo "$(( $(wc -l < "$work/hits.csv") - 1 )) hits written"
