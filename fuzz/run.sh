#!/usr/bin/env bash
# Runs every fuzz target at once for FUZZ_SECONDS (default 600) under `nice -n 19`,
# each from its seed corpus in fuzz/corpus/<name>/ (read only: new inputs go to
# BUILD/corpus/<name>/). A crash, a leak or an input slower than 10 s is saved as
# BUILD/crashes/<name>/crash-… and fails the run. Prints the executions per target.
#   usage: fuzz/run.sh BUILD_DIR [TARGET...]
# To keep the inputs of a run that reach new code, small ones only, in the seed corpus:
#   BUILD/<name>_fuzz -merge=1 -use_counters=0 -max_len=2048 fuzz/corpus/<name> BUILD/corpus/<name>
set -uo pipefail

build=${1:?usage: fuzz/run.sh BUILD_DIR [TARGET...]}
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(segment_message content_encoding config query_params unsubscribe_token email_template
    html_facts lead_import)
fi
seconds=${FUZZ_SECONDS:-600}
here=$(cd "$(dirname "$0")" && pwd)

declare -A pids
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/crashes/$t"
  nice -n 19 "$build/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$build/crashes/$t/" \
    "$build/corpus/$t" "$here/corpus/$t" >"$build/$t.log" 2>&1 &
  pids[$t]=$!
done

failed=0
for t in "${targets[@]}"; do
  if wait "${pids[$t]}"; then
    result=ok
  else
    result="CRASH (see $build/$t.log and $build/crashes/$t/)"
    failed=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$t.log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$build/$t.log" | tail -1)
  printf '%-18s %12s executions in %ss, %s: %s\n' "$t" "${runs:-?}" "$seconds" "${cov:-cov: ?}" \
    "$result"
done
exit $failed
