#!/usr/bin/env bash
# The suite holds under load: the full suite (`npm test`) three times in a row while the search benchmark
# runs beside it on the same cores, again and again until the last run ends. Prints each run's time and
# result; exits non-zero if any run failed. RUNS=n changes the number of runs.
set -uo pipefail
cd "$(dirname "$0")/.."

runs="${RUNS:-3}"
logs="$(mktemp -d "${TMPDIR:-/tmp}/whywiki-under-load-XXXXXX")"

# `npm run bench:search` is the build, then the benchmark. The build runs once here, before the suite: the
# suite's build test builds dist/ itself, and a second build of the same folder at the same moment would race
# it. The benchmark then runs as bench:search runs it, again and again, in its own process group (setsid) so
# that stopping it stops its servers too.
if ! npm run build --silent >"$logs/build.log" 2>&1; then
  echo "the build failed (see $logs/build.log)"
  exit 1
fi
bench_command="$(node -p 'require("./package.json").scripts["bench:search"].replace(/^npm run build --silent && /, "")')"
setsid bash -c "while :; do $bench_command; done" >"$logs/bench.log" 2>&1 &
bench=$!
stop_bench() {
  if kill -0 "$bench" 2>/dev/null; then
    kill -TERM -- "-$bench" 2>/dev/null
    wait "$bench" 2>/dev/null
  fi
}
trap stop_bench EXIT
trap 'exit 130' INT TERM
echo "search benchmark running beside the suite (pid $bench, output in $logs/bench.log)"

failed=0
summary=()
for run in $(seq 1 "$runs"); do
  start=$(date +%s)
  npm test >"$logs/run-$run.log" 2>&1
  status=$?
  seconds=$(( $(date +%s) - start ))
  counts="$(sed -E 's/\x1b\[[0-9;]*m//g' "$logs/run-$run.log" | grep -E '^ *Tests ' | tail -1 | sed -E 's/^ +//')"
  if [ "$status" -eq 0 ]; then result=passed; else result="FAILED (exit $status)"; failed=1; fi
  line="run $run/$runs: $result in $((seconds / 60)) min $((seconds % 60)) s${counts:+ - $counts} (log: $logs/run-$run.log)"
  echo "$line"
  summary+=("$line")
done

stop_bench
echo
echo "search benchmark ($bench_command) output: $logs/bench.log"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "at least one run failed under load"
  exit 1
fi
echo "all $runs runs passed under load"
