#!/usr/bin/env bash
# The secrets scan of a release scope beside secretlint (npm, @secretlint/secretlint-rule-preset-recommend) on the same
# labelled corpus: a generated git history (random secret values made at generation time, never committed) with
# planted secrets of 24 kinds, some removed again, some base64-encoded, and look-alikes that are not secrets.
# Ours: release-gate scope secrets over the whole history (warm JVM in the bench jar, and the CLI end to end).
# Peer: git log -p of the same history fed to secretlint as one file.
# Usage: bench/run-secrets.sh [COMMITS] [SECRETS] [DECOYS]   (needs git, npm, python3; writes under $BENCH_WORK)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_WORK:-$root/bench/work}
commits=${1:-10000}
secrets=${2:-400}
decoys=${3:-600}
mkdir -p "$work"
cd "$root"

./mvnw -q -B -DskipTests -pl release-gate-cli,bench -am package
corpus=$work/secrets-corpus-$commits
if [ ! -d "$corpus/.git" ]; then
  java -jar bench/target/release-gate-bench.jar secrets-corpus "$corpus" "$commits" "$secrets" "$decoys"
  git -C "$corpus" gc --quiet   # packed, as a clone is
fi
if [ ! -x "$work/secretlint/node_modules/.bin/secretlint" ]; then
  mkdir -p "$work/secretlint"
  (cd "$work/secretlint" && npm init -y >/dev/null && npm install --silent secretlint @secretlint/secretlint-rule-preset-recommend >/dev/null)
fi
echo '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' > "$work/secretlint/.secretlintrc.json"
echo "# corpus: $(git -C "$corpus" rev-list --count main) commits, $(wc -l < "$corpus.labels") planted secrets, $decoys look-alikes"
echo "# secretlint $("$work/secretlint/node_modules/.bin/secretlint" --version), $(git --version), $(java -version 2>&1 | head -1)"

# ours, warm JVM (best of 3 after a warm-up run)
java -jar bench/target/release-gate-bench.jar secrets "$corpus" 3
# best of $runs for the CLI end to end and for the peer, alternating (the machine is shared: times vary)
runs=${BENCH_RUNS:-3}
best() { printf '%s\n' "$@" | sort -g | head -1; }
ours=(); peer=()
for i in $(seq "$runs"); do
  t0=$(date +%s.%N)
  set +e; "$root/release-gate" scope secrets main --repo "$corpus" --json > "$work/secrets-ours.json"; set -e
  t1=$(date +%s.%N); ours+=("$(echo "$t1 - $t0" | bc)")
  t0=$(date +%s.%N)
  git -C "$corpus" log -p --no-color main > "$work/secrets-log.patch"
  set +e
  (cd "$work/secretlint" && node_modules/.bin/secretlint --format json --secretlintrc .secretlintrc.json "$work/secrets-log.patch" > "$work/secrets-secretlint.json")
  set -e
  t1=$(date +%s.%N); peer+=("$(echo "$t1 - $t0" | bc)")
done
b=$(best "${ours[@]}"); echo "bench=release-gate-cli runs=${ours[*]} best_seconds=$b seconds_per_10k_commits=$(echo "$b * 10000 / $commits" | bc -l | cut -c1-6)"
b=$(best "${peer[@]}"); echo "bench=git-log-p+secretlint runs=${peer[*]} best_seconds=$b seconds_per_10k_commits=$(echo "$b * 10000 / $commits" | bc -l | cut -c1-6)"
python3 bench/secrets-compare.py "$corpus.labels" "$work/secrets-log.patch" "$work/secrets-secretlint.json"
