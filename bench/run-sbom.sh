#!/usr/bin/env bash
# SBOM of a large real war, side by side with cyclonedx-maven-plugin (on the project that built the war)
# and @cyclonedx/cdxgen (npm, on the same project): time and correctly identified components.
#   The war is bench/sbom-war: a Spring Boot application whose WEB-INF/lib holds 150+ jars from Maven Central.
#   Truth: `mvn dependency:list` of that project; bench/sbom-compare.py counts exact Maven coordinates.
# Usage: bench/run-sbom.sh   (needs mvn, python3, npm, hyperfine; writes under $BENCH_WORK)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_WORK:-$root/bench/work}/sbom
runs=${BENCH_RUNS:-5}
m2=${MAVEN_REPO:-$HOME/.m2/repository}
cdxgen_version=12.8.4
cyclonedx_plugin=org.cyclonedx:cyclonedx-maven-plugin:2.9.3:makeBom
mkdir -p "$work"
cd "$root"

./mvnw -q -B -DskipTests -pl release-gate-cli,bench -am package
project=$root/bench/sbom-war
mvn -q -B -f "$project/pom.xml" -Dmaven.repo.local="$m2" -DskipTests package
war=$project/target/sbom-war.war
mvn -q -B -f "$project/pom.xml" -Dmaven.repo.local="$m2" dependency:list -DincludeScope=runtime -DoutputFile="$work/dependencies.txt"
# resolve the peers' own plugins once, so that no run below downloads anything
mvn -q -B -f "$project/pom.xml" -Dmaven.repo.local="$m2" "$cyclonedx_plugin" -DoutputFormat=json >/dev/null
if [ ! -x "$work/cdxgen/node_modules/.bin/cdxgen" ]; then
  (cd "$work" && npm install --prefix cdxgen --silent --no-audit --no-fund "@cyclonedx/cdxgen@$cdxgen_version" >/dev/null)
fi
cdxgen=$work/cdxgen/node_modules/.bin/cdxgen

echo "# war: $(unzip -l "$war" | grep -c 'WEB-INF/lib/.*\.jar$') jars in WEB-INF/lib, $(du -h "$war" | cut -f1)"
echo "# $(java -version 2>&1 | head -1), $(mvn -v 2>/dev/null | sed -n 1p), node $(node --version), cdxgen $cdxgen_version"
# the launcher's class-data-sharing archive is made on the first run; make it before timing
"$root/release-gate" sbom --format cyclonedx --out "$work/ours" "$war" >/dev/null
hyperfine -N -w 1 -r "$runs" --export-markdown "$work/sbom.md" \
  -n "release-gate sbom (war only)" "$root/release-gate sbom --format cyclonedx --out $work/ours $war" \
  -n "release-gate sbom --maven-repo (war + local repository)" \
     "$root/release-gate sbom --format cyclonedx --maven-repo $m2 --out $work/ours-repo $war" \
  -n "cyclonedx-maven-plugin makeBom (project; all it needs already resolved)" \
     "mvn -q -B -f $project/pom.xml -Dmaven.repo.local=$m2 $cyclonedx_plugin -DoutputFormat=json" \
  -n "cdxgen -t java (project)" \
     "env FETCH_LICENSE=false CDXGEN_DEBUG_MODE= MVN_ARGS=-o MAVEN_OPTS=-Dmaven.repo.local=$m2 $cdxgen -t java --no-recurse -o $work/cdxgen.json $project"
cat "$work/sbom.md"
python3 bench/sbom-compare.py "$work/dependencies.txt" "$war" \
  "release-gate sbom (war only)=$work/ours/sbom.cdx.json" \
  "release-gate sbom --maven-repo=$work/ours-repo/sbom.cdx.json" \
  "cyclonedx-maven-plugin=$project/target/bom.json" \
  "cdxgen=$work/cdxgen.json"
