#!/usr/bin/env bash
# Delta rescreening benchmark, with the full rescreen beside it in the same run.
#
# Imports the OFAC SDN list of 2024-02-20 (../shared) into a temporary data directory, adds
# N monitored records (default 1,000,000; generated from the first and last names of
# ../shared/data/negatives, plus a handful of parties designated on 2024-02-23) with
# `monitor add --no-screen`, then imports the list of 2024-02-23 — which rescreens the
# monitored records against the 553 added and 8 changed entities and records the hits —
# and reports the delta rescreen's time from the run's own timings.
#
# The full rescreen (every monitored record against the whole list with the full matcher,
# as `watchlist match` does on all cores) is timed on a random sample of SAMPLE records and
# extrapolated to N; the script says so in its output.
#
#   scripts/bench-delta.sh [N] [SAMPLE]       (defaults: 1000000 20000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$root/../shared" && pwd)
n=${1:-1000000}
sample=${2:-20000}
history="$shared/data/lists/us_ofac_sdn_history"
cargo build --release -q -p watchlist-cli --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/release/watchlist"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
wl() { "$bin" --quiet --data-dir "$tmp/data" "$@"; }
secs() { /usr/bin/time -f "%e %M" -o "$tmp/time" "$@"; read -r wall rss < "$tmp/time"; }

wl import "$history/2024-02-20" > /dev/null
python3 - "$shared/data/negatives" "$n" "$sample" "$tmp" <<'PY'
import csv, random, sys, json, glob
neg, n, sample, tmp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
first, last = set(), set()
for f in glob.glob(neg + "/synthetic/*.csv"):
    for r in csv.DictReader(open(f, encoding="utf-8")):
        if r["first_name"]: first.add(r["first_name"])
        if r["last_name"]: last.add(r["last_name"])
for r in csv.DictReader(open(neg + "/us_congress_names.csv", encoding="utf-8")):
    parts = r["full_name"].replace(".", "").split()
    if len(parts) >= 2:
        first.add(parts[0]); last.add(parts[-1])
first, last = sorted(first), sorted(last)
rng = random.Random(2024)
# parties designated on 2024-02-23 (they must alert)
designated = ["Mikhail Yuryevich Chepurnoi", "HD Parts Oy", "Guangzhou Ausay Technology Co Limited",
              "Boldrex", "JSC Samara Metallurgical Plant"]
with open(tmp + "/monitored.csv", "w", newline="", encoding="utf-8") as out:
    w = csv.writer(out)
    w.writerow(["id", "name", "type", "dob"])
    for i, name in enumerate(designated):
        w.writerow([f"d{i}", name, "", ""])
    for i in range(n - len(designated)):
        w.writerow([f"c{i}", f"{rng.choice(first)} {rng.choice(last)}", "Person",
                    str(rng.randint(1940, 2005))])
rows = list(csv.DictReader(open(tmp + "/monitored.csv", encoding="utf-8")))
with open(tmp + "/sample.jsonl", "w", encoding="utf-8") as out:
    for r in rng.sample(rows, min(sample, len(rows))):
        out.write(json.dumps({"id": r["id"], "name": r["name"], "schema": r["type"] or None,
                              "birth_date": r["dob"] or None}) + "\n")
print(f"{len(first)} first names x {len(last)} last names; {n:,} monitored records")
PY

secs "$bin" --quiet --data-dir "$tmp/data" monitor add --no-screen "$tmp/monitored.csv"
add_wall=$wall
secs "$bin" --quiet --data-dir "$tmp/data" import "$history/2024-02-23"
import_wall=$wall; import_rss=$rss
wl --format json monitor runs --limit 1 > "$tmp/run.json"
wl --format json alerts list --status all > "$tmp/alerts.json"
# full rescreen: the same engine over a sample, all cores, extrapolated
secs "$bin" --quiet --data-dir "$tmp/data" match --limit 10 --no-explain --input "$tmp/sample.jsonl" > /dev/null
full_wall=$wall
secs "$bin" --quiet --data-dir "$tmp/data" match --limit 10 --no-explain --input /dev/null > /dev/null
startup=$wall
python3 - "$n" "$sample" "$add_wall" "$import_wall" "$import_rss" "$full_wall" "$startup" "$tmp" <<'PY'
import json, sys
n, sample = int(sys.argv[1]), int(sys.argv[2])
add, imp, rss, full, startup = (float(x) for x in sys.argv[3:8])
tmp = sys.argv[8]
run = json.load(open(tmp + "/run.json"))[0]
alerts = json.load(open(tmp + "/alerts.json"))
ms = run["summary"]["ms"]
delta = ms["total"] / 1000
per_q = max(full - startup, 1e-9) / sample
full_est = per_q * n
print(f"monitored records: {n:,} (monitor add --no-screen: {add:.1f} s)")
print(f"change 2024-02-20 -> 2024-02-23: {run['summary']['added']} added, {run['summary']['removed']} removed, {run['summary']['changed']} changed")
print(f"delta rescreen: {delta:.1f} s  (diff {ms['diff']} ms, delta index {ms['index']} ms, "
      f"load records {ms['load']} ms, scan {ms['scan']} ms, screen+record {ms['screen_and_record']} ms); "
      f"{run['candidates']:,} candidates, {run['alerts_opened']} alerts opened")
print(f"import of 2024-02-23 including the delta rescreen: {imp:.1f} s wall, peak RSS {rss/1024:.0f} MiB")
print(f"full rescreen: {full_est:.0f} s estimated for {n:,} records "
      f"(watchlist match on all cores over a random sample of {sample:,}: {full - startup:.1f} s, "
      f"{sample / max(full - startup, 1e-9):.0f} records/s; extrapolated)")
print(f"ratio full / delta: {full_est / delta:.0f}x")
print("alerts:", sorted((a["identity"], a["entity_id"]) for a in alerts))
PY
