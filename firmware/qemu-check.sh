#!/usr/bin/env bash
# One firmware run under QEMU, checked: the run's lines are printed (each prefixed with TAG), then the
# exit status the firmware gave QEMU through semihosting must be 0 (0 only if every step gave the
# expected result), every line of EXPECTED must be in the log (extended regular expressions, whole
# lines, grep -x; '#' lines and empty ones skipped), and no line may start with FAIL:, fault: or abort:.
# Used by firmware/firmware.mk (make firmware-test-<board>, firmware-test-rtos) and
# tools/cmake-firmware-test.sh, so that every image is held to the same checks.
#
#   firmware/qemu-check.sh TAG WHO LOG EXPECTED QEMU-COMMAND...
#     TAG        prefix of the printed log lines (arm, riscv, rtos, ...)
#     WHO        prefix of the failure messages (the make target)
#     LOG        file the run's output is written to
#     EXPECTED   the expected lines
#     QEMU-COMMAND   the whole QEMU command line, -kernel and the image included
# FW_TIMEOUT: seconds the run may take before it fails (default 120).
set -u
[ $# -ge 5 ] || { echo "usage: $0 TAG WHO LOG EXPECTED QEMU-COMMAND..." >&2; exit 2; }
tag=$1 who=$2 log=$3 expected=$4
shift 4
[ -r "$expected" ] || { echo "$who: cannot read the expected lines $expected" >&2; exit 1; }

status=0
timeout -k 5 "${FW_TIMEOUT:-120}" "$@" >"$log" 2>&1 || status=$?
sed "s/^/$tag: /" "$log"
if [ "$status" != 0 ]; then
  echo "$who: QEMU exited with status $status (124: timed out)"
  exit 1
fi
fail=0
while IFS= read -r line; do
  case "$line" in '#'*|'') continue;; esac
  grep -Eqx -- "$line" "$log" || { echo "$who: missing line: $line"; fail=1; }
done <"$expected"
if grep -Eq '^(FAIL|fault|abort):' "$log"; then
  echo "$who: a step failed"
  fail=1
fi
exit "$fail"
