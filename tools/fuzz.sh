#!/bin/sh
# Runs every fuzz target in fuzz/ for FUZZ_SECONDS seconds each (cargo fuzz, nightly), then prints
# one summary line per target (executions, seconds, corpus size, result). Used by `make fuzz`.
#
#   FUZZ_SECONDS=60        seconds per target
#   FUZZ_TARGETS="..."     which targets (default: all seven)
#
# Inputs that libFuzzer finds new go to fuzz/corpus/<target>/ (not committed); the committed seeds
# are in fuzz/seeds/<target>/. A crash leaves its input in fuzz/artifacts/<target>/ and makes the
# script exit non-zero after the other targets ran. Logs: fuzz/logs/<target>.log.
set -u
cd "$(dirname "$0")/../fuzz" || exit 1
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"manifest plugin_create plugin_smith plugin_budget kernel_ops call_echo state_restore"}
# Small call stack limits (config.rs): plugin_budget's bound on a plugin's heap includes one call's
# stack (extism_x_call_stack_bytes), which these keep near 240 KiB instead of 3.75 MiB.
export EXTISM_MAX_VALUE_STACK_BYTES=65536 EXTISM_MAX_RECURSION_DEPTH=1024
CARGO_FUZZ="cargo +nightly fuzz"

# The tools, installed on first use (kept out of tools/setup.sh: make test needs neither, and a
# fresh machine's CI would spend minutes building them).
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal || exit 1
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz --version 0.13.2 || exit 1

$CARGO_FUZZ build -O || exit 1
mkdir -p logs
summary=logs/summary.txt
: >"$summary"
failed=0
for t in $TARGETS; do
  mkdir -p "corpus/$t"
  case $t in
    manifest | plugin_create) extra="-dict=dict/manifest.dict" ;;
    call_echo) extra="-max_len=16384" ;;
    state_restore) extra="-max_len=300000" ;;
    plugin_smith | plugin_budget) extra="-max_len=8192" ;;
    *) extra="" ;;
  esac
  echo "fuzz: $t for $SECONDS_EACH s"
  # -timeout: one input taking 30 s is a hang; -rss_limit_mb: a leak or a runaway allocation.
  # shellcheck disable=SC2086
  $CARGO_FUZZ run -O "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$SECONDS_EACH" -timeout=30 \
    -rss_limit_mb=3072 -print_final_stats=1 $extra >"logs/$t.log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$t.log" | tail -n 1)
  [ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "logs/$t.log" | tail -n 1)
  corpus=$(find "corpus/$t" -type f | wc -l)
  if [ $rc -eq 0 ]; then
    result="no crash"
  else
    result="FAILED (rc $rc, see fuzz/logs/$t.log and fuzz/artifacts/$t/)"
    failed=1
  fi
  line="$t: ${runs:-?} runs in $SECONDS_EACH s, corpus $corpus inputs, $result"
  echo "fuzz: $line"
  echo "$line" >>"$summary"
done
exit $failed
