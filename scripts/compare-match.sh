#!/usr/bin/env bash
# Compares the matches and scores of two `watchlist` binaries on the development set (for a
# refactoring that must not change screening): imports the UN and OFAC SDN lists from
# ../shared into one temporary data directory per binary, runs `match --limit 10` with each,
# and reports the queries whose ranked (entity, score) lists differ, and each binary's time.
#
#   scripts/compare-match.sh BASE_BINARY NEW_BINARY [QUERIES]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$root/../shared" && pwd)
base=$1; new=$2
queries=${3:-$shared/eval/sets/dev.queries.jsonl}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for who in base new; do
  bin=${!who}
  "$bin" --quiet --data-dir "$tmp/$who" import "$shared/data/lists/un_sc" "$shared/data/lists/us_ofac_sdn" >/dev/null
  "$bin" --quiet --data-dir "$tmp/$who" screen "warm up" >/dev/null
  start=$(date +%s.%N)
  "$bin" --quiet --data-dir "$tmp/$who" match --limit 10 --threads 1 --no-explain < "$queries" > "$tmp/$who.jsonl"
  end=$(date +%s.%N)
  echo "$who: $(python3 -c "print(f'{$end-$start:.2f}')") s for $(grep -c . "$queries") queries (1 thread)"
done
python3 - "$tmp/base.jsonl" "$tmp/new.jsonl" <<'PY'
import json, sys
def load(p):
    out = {}
    for l in open(p):
        r = json.loads(l)
        out[json.dumps(r["id"])] = [(m["list"], m["list_id"], round(m["score"], 5)) for m in r.get("matches", [])]
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
diff = [k for k in a if a[k] != b.get(k)]
print(f"queries: {len(a)} base, {len(b)} new; differing: {len(diff)}")
for k in diff[:10]:
    print(k, "\n  base:", a[k][:3], "\n  new: ", b.get(k, [])[:3])
sys.exit(1 if diff or len(a) != len(b) else 0)
PY
