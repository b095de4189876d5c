#!/usr/bin/env bash
# Fuzzes every list parser for a bounded time.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#        (default 30 s each, every target in fuzz/Cargo.toml; FUZZ_SECONDS also sets the time)
#
# Targets live in fuzz/fuzz_targets (cargo-fuzz layout, crate not in the main workspace).
# Each feeds arbitrary bytes to a parser's bytes-level entry point (`parse_bytes`) and checks
# that it never panics, that emitted entities belong to the reported list and survive the JSON
# round trip the snapshot store relies on.
#
# Seeds: fuzz/corpus/<target>/ (ignored by git) is seeded on first use with the first 16 KB of
# the real list files in ../shared/data/lists and the small fixtures in
# crates/sources/tests/fixtures. Crashes are written to fuzz/artifacts/<target>/ and make the
# script exit non-zero after all targets ran. Reproduce one with
#   cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-...   (or the stable modes below)
#
# Toolchains, in order of preference (checked on this machine kind, 2026-11):
#  1. nightly + cargo-fuzz: `cargo +nightly fuzz run` with AddressSanitizer. The machine this
#     was written on has a nightly toolchain installed, but the machine description promises
#     only one (stable) toolchain and no way to download another, so it may be missing.
#  2. stable + cargo-fuzz with `--sanitizer none`: still coverage-guided (cargo-fuzz passes
#     the stable -Cpasses=sancov-module / -Cllvm-args flags); without ASan, which safe Rust
#     rarely needs: panics, overflows (debug assertions are on) and aborts are all caught.
#  3. no cargo-fuzz (crates.io unreachable): the targets are built with plain stable
#     `cargo build --release` (libfuzzer-sys still links libFuzzer's driver) and run with the
#     same time limit. Without coverage instrumentation libFuzzer only mutates blindly from the
#     seeds, so this is a much weaker smoke test; the script says so when it falls back.
# cargo-fuzz is installed with `cargo install cargo-fuzz --locked` if missing. FUZZ_MODE=nightly,
# stable or blind forces a mode.

set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"

secs="${FUZZ_SECONDS:-30}"
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then
  secs="$1"
  shift
fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^watchlist-fuzz$')
fi

shared="$root/../shared/data/lists"
fixtures="$root/crates/sources/tests/fixtures"

# --- seeds -----------------------------------------------------------------------------------
seed() { # seed TARGET FILE...
  local dir="corpus/$1"
  shift
  mkdir -p "$dir"
  local f
  for f in "$@"; do
    [[ -f "$f" ]] || continue
    head -c 16384 "$f" > "$dir/seed-$(echo "$f" | sha256sum | cut -c1-16)"
  done
}

seed_all() {
  local t="$1"
  [[ -d "corpus/$t" && -n "$(ls -A "corpus/$t" 2>/dev/null)" ]] && return 0
  shopt -s nullglob
  case "$t" in
    ofac_csv) seed "$t" "$shared"/us_ofac_sdn/sdn.csv "$shared"/us_ofac_cons/cons_prim.csv "$shared"/us_ofac_sdn_history/*/sdn.csv ;;
    ofac_csv_set)
      mkdir -p "corpus/$t"
      if [[ -d "$shared/us_ofac_sdn" ]]; then
        { head -c 8192 "$shared/us_ofac_sdn/sdn.csv"; printf '\0'; head -c 4096 "$shared/us_ofac_sdn/alt.csv"; printf '\0'
          head -c 4096 "$shared/us_ofac_sdn/add.csv"; printf '\0'; head -c 2048 "$shared/us_ofac_sdn/sdn_comments.csv"; } > "corpus/$t/seed-set"
      fi ;;
    un_xml) seed "$t" "$shared"/un_sc/consolidated.xml ;;
    eu_fsf) seed "$t" "$shared"/eu_fsf/*.xml ;;
    gb_fcdo) seed "$t" "$shared"/gb_fcdo/*.xml ;;
    gb_ofsi) seed "$t" "$fixtures"/uk/*.csv ;;
    bis_dpl) seed "$t" "$shared"/us_bis_dpl/dpl.txt "$fixtures"/bis/* ;;
    us_csl) seed "$t" "$shared"/us_csl/csl.csv "$fixtures"/csl/* ;;
    ftm_json) seed "$t" "$shared"/opensanctions/*/*.json "$fixtures"/ftm/*.json "$fixtures"/ftm/set/* ;;
    custom_csv) seed "$t" "$root"/data/demo/demo-list.csv "$fixtures"/custom/* ;;
    detect) seed "$t" "$shared"/*/*.* "$shared"/*/*/*.* "$root"/data/demo/demo-list.csv ;;
    payment_iso20022) seed "$t" "$shared"/../payments/pacs008/* "$shared"/../payments/pain001/* ;;
    payment_mt) seed "$t" "$shared"/../payments/mt103/* ;;
  esac
  shopt -u nullglob
  mkdir -p "corpus/$t"
}

# --- toolchain -------------------------------------------------------------------------------
has_nightly=false
if cargo +nightly --version >/dev/null 2>&1; then has_nightly=true; fi

has_cargo_fuzz() { cargo fuzz --version >/dev/null 2>&1; }
if ! has_cargo_fuzz; then
  echo "cargo-fuzz is not installed; installing it from crates.io (cargo install cargo-fuzz --locked)..."
  cargo install cargo-fuzz --locked || echo "could not install cargo-fuzz"
fi

mode=blind
if has_cargo_fuzz; then
  if $has_nightly; then mode=nightly; else mode=stable; fi
fi
mode="${FUZZ_MODE:-$mode}"

case "$mode" in
  nightly) echo "fuzzing with cargo-fuzz on nightly (AddressSanitizer), ${secs} s per target" ;;
  stable) echo "fuzzing with cargo-fuzz on the stable toolchain, --sanitizer none (coverage-guided, no ASan), ${secs} s per target" ;;
  blind)
    echo "WARNING: cargo-fuzz unavailable: building the targets with stable cargo and running libFuzzer"
    echo "WARNING: WITHOUT coverage instrumentation (blind mutation of the seeds), ${secs} s per target"
    cargo build --release --bins ;;
esac

failed=()
for t in "${targets[@]}"; do
  seed_all "$t"
  mkdir -p "artifacts/$t"
  echo "=== $t"
  args=(-max_total_time="$secs" -max_len=32768 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="artifacts/$t/")
  ok=true
  case "$mode" in
    nightly) cargo +nightly fuzz run "$t" "corpus/$t" -- "${args[@]}" || ok=false ;;
    stable) cargo fuzz run --sanitizer none "$t" "corpus/$t" -- "${args[@]}" || ok=false ;;
    blind) "target/release/$t" "corpus/$t" "${args[@]}" || ok=false ;;
  esac
  $ok || failed+=("$t")
done

echo
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs in fuzz/artifacts/<target>/)"
  exit 1
fi
echo "fuzzed ${#targets[@]} targets for ${secs} s each ($mode): no crash"
