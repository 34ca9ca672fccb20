#!/usr/bin/env bash
# Fuzzes the parsers of outside input with Jazzer (com.code-intelligence:jazzer-junit), longer than the tests do.
# Without JAZZER_FUZZ the @FuzzTest methods are regression tests over their committed inputs (they run in CI as part
# of the test command), and CI then fuzzes each for 2 s, as many as fit in 75 s, starting from a random one
# (release-gate-core/src/test/java/io/releasegate/fuzzci/BoundedFuzzingTest.java, corpus in target/fuzz-bounded/);
# here each method is fuzzed for ROUNDS rounds of its maxDuration (10 s), every round starting
# from the corpus the previous ones grew (release-gate-core/.cifuzz-corpus/, not committed). A crash fails the run and
# Jazzer writes the input that caused it under release-gate-core/src/test/resources/.../<Class>Inputs/<method>/:
# fix the bug and commit that input, so that the regression run keeps it fixed.
# Usage: bench/fuzz.sh [ROUNDS] [Class#method ...]   (default 3 rounds, every fuzz test below)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rounds=${1:-3}
shift || true
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  tests=(ScopeParsersFuzzTest#teamPolicy ScopeParsersFuzzTest#ledgerTrust ScopeParsersFuzzTest#flagRegistry
         ScopeParsersFuzzTest#secretsAllowlist ScopeParsersFuzzTest#sbomDiff
         ScopeParsersFuzzTest#strictUtf8 ScopeParsersFuzzTest#versionOrder
         GateReportsFuzzTest#sarif GateReportsFuzzTest#vulnerabilities GateReportsFuzzTest#junit
         GateReportsFuzzTest#policyException
         EvidenceParsersFuzzTest#emergencyRecord EvidenceParsersFuzzTest#npmLockfile EvidenceParsersFuzzTest#cargoLockfile
         EvidenceParsersFuzzTest#goModAndSum EvidenceParsersFuzzTest#pythonMetadata EvidenceParsersFuzzTest#dpkgStatus
         EvidenceParsersFuzzTest#apkInstalled EvidenceParsersFuzzTest#jarArchive EvidenceParsersFuzzTest#ociImageTar
         EvidenceParsersFuzzTest#sigstoreBundle EvidenceParsersFuzzTest#dsseEnvelope EvidenceParsersFuzzTest#publicKey
         EvidenceParsersFuzzTest#trustedRootJson EvidenceParsersFuzzTest#certificateBundlePem
         EvidenceParsersFuzzTest#openPgpSignature EvidenceParsersFuzzTest#sshTagSignature
         EvidenceParsersFuzzTest#conventionalCommit)
fi
./mvnw -q -B -o -pl release-gate-core test-compile
# coverage-guided over our code and the libraries that parse for it (SnakeYAML, Jackson, BouncyCastle, Commons Compress)
export JAZZER_FUZZ=1 JAZZER_INSTRUMENTATION_INCLUDES="io.releasegate.**:org.yaml.snakeyaml.**:com.fasterxml.jackson.**:org.bouncycastle.**:org.apache.commons.compress.**"
status=0
for t in "${tests[@]}"; do
  total=0
  for r in $(seq "$rounds"); do
    log=$(mktemp)
    if ./mvnw -B -o -pl release-gate-core surefire:test -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
      execs=$(grep -o '#[0-9]*[[:space:]]*DONE' "$log" | tail -1 | grep -o '[0-9]*' | head -1)
      total=$((total + ${execs:-0}))
    else
      echo "bench=fuzz test=$t round=$r result=CRASH (log: $log)"; grep -m5 -A5 "== Java Exception\|FuzzerSecurityIssue" "$log" || true
      status=1; break
    fi
    rm -f "$log"
  done
  echo "bench=fuzz test=$t rounds=$rounds executions=$total"
done
exit $status
