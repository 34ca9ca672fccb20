#!/usr/bin/env bash
# The delivery report on a ledger of 100,000 events (issue target: ≤ 5 s on this machine).
#   The ledger is written once through the ledger's own append (one signed commit per event, trial trust, as
#   release-gate writes it; it packs itself as it grows) by `release-gate-bench.jar report-ledger`: 12 services over
#   two years with builds, SBOMs, provenance, signatures, gates, approvals, promotions, rollbacks under halts,
#   hotfixes, emergency changes and three CI runs per release. It is kept under $BENCH_WORK between runs.
#   Timed with hyperfine, through the release-gate launcher as a user runs it: the report with its two files
#   (--out), and the JSON document alone; beside them, the floor of reading the same events with no signature
#   check: `git log -p` over the ledger.
# Usage: bench/run-report.sh   (needs git, hyperfine; BENCH_EVENTS overrides 100000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_WORK:-$root/bench/work}
runs=${BENCH_RUNS:-5}
events=${BENCH_EVENTS:-100000}
mkdir -p "$work"
cd "$root"

./mvnw -q -B -DskipTests -pl release-gate-cli,bench -am package
state=$work/report-ledger-$events
if [ ! -f "$state/.complete" ]; then
  rm -rf "$state" && mkdir -p "$state"
  echo "writing a ledger of $events events into $state (once; several minutes)" >&2
  java -jar bench/target/release-gate-bench.jar report-ledger "$state" "$events"
  touch "$state/.complete"
fi
git --git-dir "$state/ledger.git" count-objects -vH | sed 's/^/# ledger /'
out=$work/report-out
rg=$root/release-gate
"$rg" report --state-dir "$state" >/dev/null   # the launcher's class-data-sharing archive, made before timing

echo "# $(java -version 2>&1 | head -1); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)'); $events events"
hyperfine --warmup 1 --runs "$runs" --export-markdown "$work/report.md" \
  -n "release-gate report --out" "$rg report --state-dir $state --out $out" \
  -n "release-gate report --json" "$rg report --state-dir $state --json" \
  -n "git log -p (no signature check)" "git --git-dir $state/ledger.git log -p main"
cat "$work/report.md"
ls -la "$out"
