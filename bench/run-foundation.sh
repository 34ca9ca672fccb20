#!/usr/bin/env bash
# Foundation benchmarks, each side by side with its peer in the same run:
#   1. SHA-256 of one 1 GiB file: release-gate's Digester vs `openssl dgst -sha256`
#   2. SHA-256 of 200 files of 5 MiB: all cores vs one thread (same code)
#   3. publishing a 1 GiB artifact to a local registry: buildOnce vs `curl` blob upload vs `skopeo copy`
# Usage: bench/run-foundation.sh   (needs openssl, curl, skopeo, docker-registry; writes ~2.2 GiB under $BENCH_WORK)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_WORK:-$root/bench/work}
runs=${BENCH_RUNS:-5}
mkdir -p "$work"
cd "$root"

./mvnw -q -B -DskipTests -pl bench -am package
jar=$root/bench/target/release-gate-bench.jar
best() { sort -n | head -1; }
# seconds taken by a command; a failing command fails the benchmark (a failed peer must not look fast)
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>"$work/last.err" || { echo "FAILED: $* ($(cat "$work/last.err"))" >&2; exit 1; }; e=$(date +%s.%N); echo "$e - $s" | bc -l; }

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
echo "# java: $(java -version 2>&1 | head -1); $(openssl version); skopeo $(skopeo --version | awk '{print $3}'); $(curl --version | head -1 | cut -d' ' -f1-2)"

# 1. one 1 GiB file ------------------------------------------------------------------------------
big=$work/1g.bin
[ -f "$big" ] || head -c 1073741824 /dev/urandom > "$big"
cat "$big" > /dev/null   # page cache warm for every contender
ours=$(java -jar "$jar" digest "$big" "$runs")
echo "$ours"
ours_s=$(sed -E 's/.*best_seconds=([0-9.]+).*/\1/' <<<"$ours")
ossl_s=$(for i in $(seq "$runs"); do secs openssl dgst -sha256 "$big"; done | best)
cli_s=$(for i in $(seq 3); do secs java -cp "$jar" io.releasegate.bench.Bench digest "$big" 0; done | best)
bytes=$(stat -c %s "$big")
printf 'digest 1GiB: release-gate %.3fs (%.0f MB/s) | openssl %.3fs (%.0f MB/s) | ratio (ours/openssl throughput) %.2f | whole JVM command incl. start-up and warm-up pass %.3fs\n' \
  "$ours_s" "$(echo "$bytes/1000000/$ours_s" | bc -l)" "$ossl_s" "$(echo "$bytes/1000000/$ossl_s" | bc -l)" \
  "$(echo "$ossl_s/$ours_s" | bc -l)" "$cli_s"

# 2. 200 x 5 MiB -----------------------------------------------------------------------------------
many=$work/many
if [ ! -d "$many" ] || [ "$(ls "$many" | wc -l)" -ne 200 ]; then
  rm -rf "$many"; mkdir -p "$many"
  for i in $(seq -w 1 200); do head -c 5242880 /dev/urandom > "$many/f$i.bin"; done
fi
cat "$many"/* > /dev/null
java -jar "$jar" digest-many "$many" "$runs"

# 3. publish 1 GiB to a local registry ---------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
reg=$work/registry; rm -rf "$reg"; mkdir -p "$reg/data"
cat > "$reg/config.yml" <<YML
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $reg/data }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$port }
YML
docker-registry serve "$reg/config.yml" > "$reg/log" 2>&1 &
regpid=$!
trap 'kill $regpid 2>/dev/null || true; rm -rf "$reg"' EXIT
for i in $(seq 50); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

pub_dir=$work/publish; rm -rf "$pub_dir"; mkdir -p "$pub_dir"; ln -f "$big" "$pub_dir/app.bin"
ours=$(java -jar "$jar" publish "$pub_dir/app.bin" "oci://127.0.0.1:$port/bench" 3)
echo "$ours"
ours_s=$(sed -E 's/.*best_seconds=([0-9.]+).*/\1/' <<<"$ours")
digest=$(sha256sum "$big" | cut -d' ' -f1)
curl_upload() {
  local repo=curl-$RANDOM$RANDOM loc
  loc=$(curl -sfi -X POST "http://127.0.0.1:$port/v2/$repo/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  case "$loc" in http*) ;; *) loc="http://127.0.0.1:$port$loc";; esac
  case "$loc" in *\?*) sep='&';; *) sep='?';; esac
  # -T streams the file (--data-binary would read all of it into memory first)
  curl -sSf -X PUT -H 'Content-Type: application/octet-stream' -T "$big" "$loc${sep}digest=sha256:$digest" -o /dev/null
}
curl_s=$(for i in 1 2 3; do secs curl_upload; done | best)
layout=$work/layout; rm -rf "$layout"; java -jar "$jar" make-layout "$big" "$layout" >/dev/null
skopeo_fresh() {  # forget where skopeo saw the blob before, so it uploads instead of mounting it from another repository
  rm -rf /var/lib/containers/cache "$HOME/.local/share/containers/cache"
  skopeo copy --quiet --dest-tls-verify=false "oci:$layout:bench" "docker://127.0.0.1:$port/skopeo-$RANDOM$RANDOM:1"
}
skopeo_s=$(for i in 1 2 3; do secs skopeo_fresh; done | best)
mb() { echo "$bytes/1000000/$1" | bc -l; }
printf 'publish 1GiB: release-gate buildOnce %.2fs (%.0f MB/s, includes digesting and the ledger) | curl blob upload %.2fs (%.0f MB/s) | skopeo copy %.2fs (%.0f MB/s)\n' \
  "$ours_s" "$(mb "$ours_s")" "$curl_s" "$(mb "$curl_s")" "$skopeo_s" "$(mb "$skopeo_s")"
