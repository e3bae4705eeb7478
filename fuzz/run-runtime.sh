#!/bin/sh
# Runs the runtime's libFuzzer targets built by build-runtime.sh, one after
# the other, each for SECONDS:
#   fuzz/run-runtime.sh BIN_DIR SECONDS [TARGET...]
# Each starts from its seeds (fuzz/corpus/TARGET), the inputs that once
# crashed it (fuzz/regressions/TARGET) and BIN_DIR/corpus/TARGET, where new
# inputs go, with the dictionary fuzz/TARGET.dict. Prints one line per
# target, libFuzzer's "Done N runs in S second(s)"; on a finding it prints
# the end of the log (BIN_DIR/TARGET.log; the input is BIN_DIR/TARGET-crash-*
# or similar) and exits 1. FUZZ_FLAGS adds libFuzzer flags
# (-use_value_profile=1, -seed=N, ...).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 2 ]; then
  echo "usage: $0 BIN_DIR SECONDS [idx|csv|npy|safetensors|manifest]..." >&2
  exit 2
fi
bin=$1
secs=$2
shift 2
targets=${*:-idx csv npy safetensors manifest}
status=0
for t in $targets; do
  mkdir -p "$bin/corpus/$t"
  set -- "$bin/corpus/$t" "$src/fuzz/corpus/$t"
  [ -d "$src/fuzz/regressions/$t" ] && set -- "$@" "$src/fuzz/regressions/$t"
  # -max_len 4096: the seeds are small and so are the headers that matter.
  # -malloc_limit_mb follows -rss_limit_mb: one allocation over 2 GiB (a
  # header believed before it was checked) is a finding.
  "$bin/$t-fuzz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -dict="$src/fuzz/$t.dict" -artifact_prefix="$bin/$t-" \
    -print_final_stats=1 ${FUZZ_FLAGS:-} "$@" >"$bin/$t.log" 2>&1
  rc=$?
  done=$(grep '^Done [0-9]* runs' "$bin/$t.log")
  if [ $rc -ne 0 ] || [ -z "$done" ]; then
    echo "$t: FAILED (exit $rc), the end of $bin/$t.log:"
    tail -n 40 "$bin/$t.log"
    status=1
  else
    echo "$t: $done"
  fi
done
exit $status
