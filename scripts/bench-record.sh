#!/usr/bin/env bash
# What recording in the audit trail adds to batch screening, with SQLite, in one run.
#
# Usage: scripts/bench-record.sh [ROWS] [ROUNDS]   (defaults: 100000 rows, 2 rounds)
#
# The same generated roster (crates/screen/examples/gen_roster.rs, as in
# scripts/bench-batch.sh) is screened, with every shared list loaded:
#   1. by `watchlist batch`, and by `watchlist batch --record` into a new SQLite file each
#      round (one screening record per row, alerts opened), in alternating order: the target;
#   2. as a server batch job without recording (POST /v1/screen/batch);
#   3. as a server batch job of a server started with --record, into a new SQLite file;
# in each round, 2 and 3 in alternating order (the first round plain first, the next recorded
# first). A job is timed from its upload to the poll that sees it done (polled every 0.1 s),
# the server already started and its index loaded. The overhead is recorded / plain - 1 over
# the sums of the rounds; the target is under 20%. Then the store's own measure,
# crates/screen/examples/record_overhead.rs (the roster's names, birth dates and nationalities
# as queries through Engine::search, without and with record_pipelined into SQLite, best of
# ROUNDS), as a cross-check of the store alone.
#
# Loopback only (127.0.0.1, a free port); the servers are stopped by their process id.
# The machine load is printed before each run: on a shared machine the times are upper bounds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows="${1:-100000}"
rounds="${2:-2}"
lists=../shared/data/lists
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release -q -p watchlist-cli -p watchlist-screen -p watchlist-store --bin watchlist \
  --example gen_roster --example record_overhead
tdir="${CARGO_TARGET_DIR:-target}"
bin="$tdir/release/watchlist"
data="$work/data"
"$bin" --data-dir "$data" -q import "$lists"/us_ofac_sdn "$lists"/us_ofac_cons "$lists"/un_sc "$lists"/eu_fsf \
  "$lists"/gb_fcdo "$lists"/us_bis_dpl "$lists"/us_csl "$lists"/opensanctions >/dev/null
"$tdir"/release/examples/gen_roster "$work/roster.csv" "$rows" 2>/dev/null
echo "warm-up" > "$work/w.txt"; "$bin" --data-dir "$data" -q scan "$work/w.txt" >/dev/null
map="id=Employee ID,name=Full Name,dob=Birth Date,nationality=Citizenship,passport=Passport No,address=Work Address"
size_mb=$(( $(stat -c %s "$work/roster.csv") / 1048576 + 1 ))
echo "$rows rows, $size_mb MB; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

load() { cut -d' ' -f1 /proc/loadavg; }

# 1. watchlist batch, without and with --record
cli_times=()
cli_rec_times=()
cli_run() { # cli_run LABEL [--record --database FILE]
  local l label="$1"
  shift
  l=$(load)
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$bin" --data-dir "$data" -q batch "$work/roster.csv" \
    --map "$map" -o "$work/hits.csv" "$@"
  read -r wall user sys rss < "$work/time"
  cli_secs="$wall"
  echo "$label $wall s wall, $(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}') s CPU, peak RSS $((rss / 1024)) MiB, $(( $(wc -l < "$work/hits.csv") - 1 )) hits (load $l)"
}
for ((r = 1; r <= rounds; r++)); do
  order="plain record"; ((r % 2)) || order="record plain"
  for side in $order; do
    if [[ $side == plain ]]; then
      cli_run "round $r: watchlist batch               "
      cli_times+=("$cli_secs")
    else
      cli_run "round $r: watchlist batch --record      " --record --database "$work/cli$r.db"
      cli_rec_times+=("$cli_secs")
    fi
  done
done

# 2 and 3. server batch jobs
start_server() { # start_server [--record --database FILE]
  local port
  port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1]); s.close()")
  "$bin" --quiet --data-dir "$data" serve --listen "127.0.0.1:$port" --max-body-mb "$((size_mb + 1))" "$@" \
    2>"$work/serve.log" &
  server_pid=$!
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "the server did not start:"; cat "$work/serve.log"; exit 1; }
  url="http://127.0.0.1:$port"
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
qmap=$(python3 -c "import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))" "$map")
job() { # job LABEL -> prints a line, sets job_secs
  local l t0 id status
  l=$(load)
  t0=$(date +%s.%N)
  curl -sf -X POST -H 'Content-Type: text/csv' --data-binary @"$work/roster.csv" \
    "$url/v1/screen/batch?map=$qmap" > "$work/job.json"
  id=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['job']['id'])" "$work/job.json")
  while :; do
    curl -sf "$url/v1/screen/batch/$id?hits=false" > "$work/job.json"
    status=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['status'])" "$work/job.json")
    [[ "$status" == done || "$status" == failed ]] && break
    sleep 0.1
  done
  job_secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  python3 - "$work/job.json" "$1" "$job_secs" "$l" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
if j["status"] != "done":
    sys.exit(f"the job failed: {j.get('error')}")
r = j["rows"]
rec = j.get("recorded")
what = (f"{rec['screenings']:,} screenings recorded, {rec['alerts_opened']:,} alerts opened"
        if rec else "nothing recorded")
print(f"{sys.argv[2]:<38} {float(sys.argv[3]):6.2f} s  ({j['hit_count']:,} hits; {what}; load {sys.argv[4]})")
PY
}
plain=()
recorded=()
for ((r = 1; r <= rounds; r++)); do
  order="plain record"; ((r % 2)) || order="record plain"
  for side in $order; do
    if [[ $side == plain ]]; then
      start_server
      job "round $r: server batch job, no recording"
      plain+=("$job_secs")
      stop_server
    else
      start_server --record --database "$work/round$r.db"
      job "round $r: server batch job, --record"
      recorded+=("$job_secs")
      stop_server
      echo "$(printf '%38s' '') SQLite file $(( $(stat -c %s "$work/round$r.db") / 1048576 )) MiB"
    fi
  done
done
python3 - "${plain[*]}" "${recorded[*]}" "${cli_times[*]}" "$rows" "${cli_rec_times[*]}" <<'PY'
import sys
p = [float(x) for x in sys.argv[1].split()]
r = [float(x) for x in sys.argv[2].split()]
c = [float(x) for x in sys.argv[3].split()]
n = int(sys.argv[4])
cr = [float(x) for x in sys.argv[5].split()]
over = sum(r) / sum(p) - 1
cover = sum(cr) / sum(c) - 1
print(f"watchlist batch: {min(c):.2f}-{max(c):.2f} s ({n / min(c):,.0f} rows/s at best); with --record "
      f"{min(cr):.2f}-{max(cr):.2f} s: recording adds {cover * 100:+.1f}% (target: under +20%: "
      f"{'met' if cover < 0.20 else 'NOT met'}); per round: "
      + ", ".join(f"{b / a - 1:+.1%}" for a, b in zip(c, cr)))
print(f"server batch job: {sum(p) / len(p):.2f} s without recording, {sum(r) / len(r):.2f} s with --record "
      f"(mean of {len(p)}); recording adds {over * 100:+.1f}% (target: under +20%: "
      f"{'met' if over < 0.20 else 'NOT met'}); per round: "
      + ", ".join(f"{b / a - 1:+.1%}" for a, b in zip(p, r)))
PY

# the store alone: Engine::search with and without record_pipelined
python3 - "$work/roster.csv" "$work/queries.jsonl" <<'PY'
import csv, json, sys
with open(sys.argv[1], encoding="utf-8", errors="replace", newline="") as f, open(sys.argv[2], "w") as out:
    for row in csv.DictReader(f):
        if not row.get("Full Name") or row.get("Citizenship") is None:
            continue
        out.write(json.dumps({"name": row["Full Name"], "birth_date": row["Birth Date"] or None,
                              "countries": [row["Citizenship"]] if row["Citizenship"] else []}) + "\n")
PY
echo "record_overhead example (store alone; load $(load)):"
"$tdir"/release/examples/record_overhead "$data" "$work/queries.jsonl" "$rounds" 2>&1
