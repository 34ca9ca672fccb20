#!/usr/bin/env bash
# Start-up of the release-gate command line, before and after, side by side in one run with the peers:
#   --version, --help, next-version and changelog --bump (on the 32,001-commit history of run-history.sh, beside
#   git-cliff --unreleased --bumped-version / --bump) and verify --key (beside openssl), each through the release-gate
#   launcher as a user runs it (its class-data-sharing archive made before timing), plus the class counts from
#   -Xlog:class+load and the floor: a JVM that only prints a line with the same jar on its class path.
# "Before" is BENCH_BASE (default: the last commit before the per-command model), exported and built
# under $BENCH_WORK/startup-base.
# Usage: bench/run-startup.sh   (needs python3, git, hyperfine, npm, openssl; writes under $BENCH_WORK)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_WORK:-$root/bench/work}
runs=${BENCH_RUNS:-20}
base_ref=${BENCH_BASE:-297a61e}
mkdir -p "$work"
cd "$root"

./mvnw -q -B -DskipTests -pl release-gate-cli -am package
base=$work/startup-base
if [ ! -f "$base/release-gate-cli/target/release-gate.jar" ] || [ "$(cat "$base/.ref" 2>/dev/null)" != "$base_ref" ]; then
  rm -rf "$base" && mkdir -p "$base"
  git archive "$base_ref" | tar -x -C "$base"
  (cd "$base" && ./mvnw -q -B -DskipTests -pl release-gate-cli -am package)
  echo "$base_ref" > "$base/.ref"
fi
before=$base/release-gate
after=$root/release-gate

repo=$work/history   # the same history as run-history.sh
if [ ! -d "$repo/.git" ]; then
  git init -q -b main "$repo"
  python3 bench/gen-history.py 32000 2000 | git -C "$repo" fast-import --quiet
  git -C "$repo" checkout -q main
fi
if [ ! -x "$work/cliff/node_modules/git-cliff-linux-x64/bin/git-cliff" ]; then
  mkdir -p "$work/cliff"
  (cd "$work/cliff" && npm init -y >/dev/null && npm install --silent git-cliff >/dev/null)
fi
cliff=$work/cliff/node_modules/git-cliff-linux-x64/bin/git-cliff   # the native binary, not the node wrapper
# one signed file for `verify --key`, and openssl's verification of it as the floor the issue reports against
vk=$work/startup-verify
mkdir -p "$vk"
if [ ! -f "$vk/f.bin.der" ]; then
  openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$vk/key.pem"
  openssl pkey -in "$vk/key.pem" -pubout -out "$vk/pub.pem"
  head -c 4096 /dev/urandom > "$vk/f.bin"
  "$after" sign --key "$vk/key.pem" "$vk/f.bin" >/dev/null
  base64 -d "$vk/f.bin.sig" > "$vk/f.bin.der"
fi
floor=$work/startup-floor
mkdir -p "$floor"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hi"); } }\n' > "$floor/Hello.java"
javac -d "$floor" "$floor/Hello.java"

echo "# $("$cliff" --version), $(openssl version)"
echo "# $(java -version 2>&1 | head -1); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# before: $base_ref; after: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"
echo "# next-version repository: $repo ($(git -C "$repo" rev-list --count HEAD) commits)"
for label in before after; do
  jar=$([ $label = before ] && echo "$base" || echo "$root")/release-gate-cli/target/release-gate.jar
  for args in "--version" "--help" "next-version"; do
    (cd "$repo" && java -XX:+UseSerialGC -Xlog:class+load:file="$work/classes.txt" -jar "$jar" $args >/dev/null)
    echo "classes $label release-gate $args: $(wc -l < "$work/classes.txt")"
  done
done
# each launcher makes its class-data-sharing archive on its first run; make it before timing, as run-history.sh does
(cd "$repo" && "$before" next-version >/dev/null && "$after" next-version >/dev/null)
cd "$repo"
hyperfine -N -w 3 -r "$runs" --export-markdown "$work/startup.md" \
  -n "floor: java Hello (jar on the class path)" "java -XX:+UseSerialGC -cp $root/release-gate-cli/target/release-gate.jar:$floor Hello" \
  -n "before: release-gate --version" "$before --version" \
  -n "after: release-gate --version" "$after --version" \
  -n "before: release-gate --help" "$before --help" \
  -n "after: release-gate --help" "$after --help" \
  -n "before: release-gate next-version" "$before next-version" \
  -n "after: release-gate next-version" "$after next-version" \
  -n "git-cliff --unreleased --bumped-version" "$cliff --unreleased --bumped-version" \
  -n "before: release-gate changelog --bump" "$before changelog --bump --no-require-tickets" \
  -n "after: release-gate changelog --bump" "$after changelog --bump --no-require-tickets" \
  -n "git-cliff --unreleased --bump" "$cliff --unreleased --bump" \
  -n "before: release-gate verify --key" "$before verify --key $vk/pub.pem $vk/f.bin" \
  -n "after: release-gate verify --key" "$after verify --key $vk/pub.pem $vk/f.bin" \
  -n "openssl dgst -sha256 -verify" "openssl dgst -sha256 -verify $vk/pub.pem -signature $vk/f.bin.der $vk/f.bin"
cat "$work/startup.md"
