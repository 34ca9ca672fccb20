#!/usr/bin/env bash
# Verifying 1,000 signatures: cost per verification, side by side with openssl.
#   1,000 files of 4 KiB signed with `release-gate sign --key` (cosign-style FILE.sig, ECDSA P-256 over SHA-256).
#   Release Gate: all 1,000 in one warm JVM (as a promotion checking many artifacts does), and the
#   `release-gate verify` command as a process per file; openssl: `openssl dgst -sha256 -verify`, a process per file.
# Usage: bench/run-verify.sh   (needs openssl, hyperfine; writes under $BENCH_WORK)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_WORK:-$root/bench/work}/verify
count=${BENCH_SIGNATURES:-1000}
mkdir -p "$work/files"
cd "$root"

./mvnw -q -B -DskipTests -pl release-gate-cli,bench -am package
if [ ! -f "$work/key.pem" ]; then
  openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$work/key.pem"
  openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem"
fi
if [ "$(ls "$work/files" | grep -c '\.sig$' || true)" -ne "$count" ]; then
  rm -f "$work/files"/*
  for i in $(seq -w 1 "$count"); do head -c 4096 /dev/urandom > "$work/files/artifact-$i.bin"; done
  "$root/release-gate" sign --key "$work/key.pem" "$work/files"/*.bin >/dev/null
  # openssl wants the DER signature, not cosign's base64
  for s in "$work/files"/*.sig; do base64 -d "$s" > "${s%.sig}.der"; done
fi
echo "# $count signatures; $(java -version 2>&1 | head -1); $(openssl version)"
java -jar bench/target/release-gate-bench.jar verify-many "$work/files" "$work/pub.pem" 5

# a process per verification: time 100 in a row for each, report per verification
files=("$work/files"/*.bin)
first=${files[0]}
"$root/release-gate" verify --key "$work/pub.pem" "$first" >/dev/null   # class-data-sharing archive, made once
list="${files[*]:0:100}"
hyperfine -N -w 1 -r 3 --export-markdown "$work/verify.md" \
  -n "openssl dgst -verify x100 (a process each)" \
     "bash -c 'for f in $list; do openssl dgst -sha256 -verify $work/pub.pem -signature \$f.der \$f >/dev/null || exit 1; done'" \
  -n "release-gate verify x100 (a process each)" \
     "bash -c 'for f in $list; do $root/release-gate verify --key $work/pub.pem \$f >/dev/null || exit 1; done'"
cat "$work/verify.md"
