package io.releasegate.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Digest;
import io.releasegate.error.RefusedException;
import io.releasegate.gates.EvaluateGates;
import io.releasegate.gates.PolicyException;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.notes.ReleaseNotes;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.record.ReleaseRecord;
import io.releasegate.record.ReleaseRecords;
import io.releasegate.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gate deps: the release's SBOM against the previous release's, both read back from the store as their signed events
 * record them. The refusals: a downgrade, a denied license brought in, an SBOM whose stored bytes changed, a release
 * without an SBOM; and what a caller cannot do: point the gate at an SBOM file of its own.
 */
class DependencyGateTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    TestRepo repo;
    Path ws;
    StepEnvironment env;

    @BeforeEach
    void project() throws Exception {
        repo = TestRepo.init(tmp.resolve("ws"));
        ws = repo.dir();
        Files.writeString(ws.resolve("CODEOWNERS"), "* @org/maintainers\n");
        Files.writeString(ws.resolve("SECURITY.md"), "# Security\n");
        Files.writeString(ws.resolve("RELEASE.md"), "# Releasing\n");
        Files.createDirectories(ws.resolve(".release/exceptions"));
        Files.writeString(ws.resolve(".release/policy.yaml"), "gates:\n  required: [unit, sast, dependency, license, dast, deps]\n"
                + "  notApplicable:\n    unit: t\n    sast: t\n    dependency: t\n    license: t\n    dast: t\n");
        env = StepEnvironment.of(ws, tmp.resolve("state"), "ci");
    }

    /** Commits a package-lock.json with these packages (name -> version:license), builds it and records its SBOMs. */
    void release(String version, Map<String, String> packages, boolean sbom) throws Exception {
        StringBuilder lock = new StringBuilder("{\"name\":\"web\",\"version\":\"" + version + "\",\"lockfileVersion\":3,\"packages\":{"
                + "\"\":{\"name\":\"web\",\"version\":\"" + version + "\"}");
        packages.forEach((name, vl) -> lock.append(",\"node_modules/").append(name).append("\":{\"version\":\"")
                .append(vl.split(":")[0]).append("\",\"license\":\"").append(vl.split(":")[1]).append("\"}"));
        Files.writeString(ws.resolve("package-lock.json"), lock.append("}}").toString());
        repo.git("add", "-A");
        repo.git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "feat: web " + version);
        PipelineSteps.buildOnce(BuildOnceArgs.of(Map.of("name", "web", "version", version, "artifacts", "package-lock.json")), env);
        if (sbom) {
            PipelineSteps.generateSbom(GenerateSbomArgs.of(Map.of("name", "web", "version", version)), env);
        }
    }

    static Map<String, String> deps(String... nameVersionLicense) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String s : nameVersionLicense) {
            m.put(s.substring(0, s.indexOf('@')), s.substring(s.indexOf('@') + 1));
        }
        return m;
    }

    EvaluateGates.Decision gate(String version, List<Path> callerSbom) {
        try (ReleaseContext ctx = ReleaseContext.open(env.context("", ""))) {
            var policy = PolicyLoader.load(Optional.empty(), Optional.of(ws.resolve(".release/policy.yaml")));
            Digest digest = ctx.ledger().events("web@" + version).stream().filter(EventType.BUILT::is).findFirst()
                    .flatMap(Event::digest).orElseThrow();
            return new EvaluateGates(policy, ctx.ledger()).release("web", version, digest).sbom(callerSbom)
                    .exceptions(PolicyException.loadAll(ws.resolve(".release/exceptions"))).context("web", "main", "production")
                    .scope(ws).store(ctx.store()).clock(NOW).call();
        }
    }

    static List<String> deps(EvaluateGates.Decision d) {
        return d.findings().stream().filter(f -> f.finding().gate().equals("deps"))
                .map(f -> f.finding().id() + "=" + f.disposition()).toList();
    }

    ReleaseRecord record(String version) {
        return PipelineSteps.releaseRecord(ReleaseRecordArgs.of(Map.of("name", "web", "version", version)), env).record();
    }

    @Test
    void aDowngradeBlocksAndOnlyAValidExceptionLetsItThrough() throws Exception {
        release("1.0.0", deps("lodash@4.17.21:MIT", "ms@2.1.3:MIT"), true);
        repo.tag("v1.0.0");
        release("1.1.0", deps("lodash@4.17.20:MIT", "ms@2.1.3:MIT"), true);

        EvaluateGates.Decision d = gate("1.1.0", List.of());
        assertThat(d.pass()).isFalse();
        assertThat(deps(d)).containsExactly("deps.downgrade:pkg:npm/lodash@4.17.20=BLOCKING");
        assertThat(d.checks()).filteredOn(c -> c.gate().equals("deps")).singleElement().satisfies(c -> assertThat(c.result()).isEqualTo("fail"));

        // the gate step decides deps when the committed policy requires it (the store passed along)
        Throwable step = catchThrowable(() -> PipelineSteps.gate(GateArgs.of(Map.of("name", "web", "version", "1.1.0",
                "environment", "staging")), env));
        assertThat(step).isInstanceOf(RefusedException.class).hasMessageContaining("deps=fail");

        // an exception approved only by its author does not waive it; one approved by another person does
        Files.writeString(ws.resolve(".release/exceptions/EX-9.yaml"), exception("alice"));
        assertThat(deps(gate("1.1.0", List.of()))).containsExactly("deps.downgrade:pkg:npm/lodash@4.17.20=BLOCKING");
        Files.writeString(ws.resolve(".release/exceptions/EX-9.yaml"), exception("bob"));
        EvaluateGates.Decision waived = gate("1.1.0", List.of());
        assertThat(deps(waived)).containsExactly("deps.downgrade:pkg:npm/lodash@4.17.20=WAIVED");
        assertThat(waived.pass()).isTrue();
    }

    static String exception(String approver) {
        return """
                id: EX-9
                owner: team-web
                author: alice
                type: temporary
                policyRef: SEC-9
                scope:
                  repos: [web]
                  branches: [main]
                  environments: [production]
                  findings: ["deps.downgrade:pkg:npm/lodash@4.17.20"]
                risk: low, 4.17.21 breaks the build and 4.17.20 has no open advisory
                compensatingControls: [pinned in the lockfile]
                approvers: [%s]
                expires: 2026-12-31
                reviewDate: 2026-12-20
                rollback: upgrade again
                evidence: [TICKET-9]
                """.formatted(approver);
    }

    @Test
    void newDependenciesAreFlaggedForReviewADeniedLicenseBlocksAndTheRecordAndNotesShowTheDiff() throws Exception {
        release("1.0.0", deps("lodash@4.17.21:MIT"), true);
        repo.tag("v1.0.0");
        release("1.1.0", deps("lodash@4.17.22:MIT", "chalk@5.3.0:ISC"), true);

        EvaluateGates.Decision review = gate("1.1.0", List.of());
        assertThat(deps(review)).containsExactlyInAnyOrder("deps.new:pkg:npm/chalk@5.3.0=BELOW_THRESHOLD",
                "deps.new-license:ISC=BELOW_THRESHOLD");
        assertThat(review.pass()).isTrue();

        ReleaseRecord r = record("1.1.0");
        assertThat(r.dependencyChanges()).hasValueSatisfying(c -> {
            assertThat(c.baseline()).contains("1.0.0");
            assertThat(c.changes()).extracting(x -> x.kind() + " " + x.name()).containsExactlyInAnyOrder("added chalk", "upgraded lodash");
            assertThat(c.newLicenses()).containsExactly("ISC");
            assertThat(c.lockfiles()).singleElement().satisfies(l -> {
                assertThat(l.path()).isEqualTo("package-lock.json");
                assertThat(l.change()).isEqualTo("modify");
                assertThat(l.commits()).hasSize(1);
            });
        });
        ReleaseRecords records = new ReleaseRecords();
        assertThat(records.violations(io.releasegate.json.Json.tree(r))).isEmpty();
        assertThat(records.read(records.write(r)).dependencyChanges()).isEqualTo(r.dependencyChanges());
        String notes = new ReleaseNotes(r).summary(Optional.of("s")).risks(Optional.of("r")).rollbackPlan(Optional.of("p")).render();
        assertThat(notes).contains("## Dependency changes", "Compared with 1.0.0", "- added chalk 5.3.0 (ISC)",
                "- upgraded lodash 4.17.21 → 4.17.22 (MIT)", "- new license ISC", "`package-lock.json` (modify, 1 commit(s))");

        release("1.2.0", deps("lodash@4.17.22:MIT", "chalk@5.3.0:ISC", "copyleft@1.0.0:GPL-3.0-only"), true);
        assertThat(deps(gate("1.2.0", List.of()))).contains("deps.license:GPL-3.0-only:pkg:npm/copyleft@1.0.0=BLOCKING");
    }

    @Test
    void anSbomFileOfTheCallersDoesNotReplaceTheRecordedOne() throws Exception {
        release("1.0.0", deps("lodash@4.17.21:MIT"), true);
        repo.tag("v1.0.0");
        release("1.1.0", deps("lodash@4.17.20:MIT"), true);
        Path clean = ws.resolve("clean.cdx.json");
        Files.writeString(clean, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"name\":\"lodash\","
                + "\"version\":\"4.17.21\",\"purl\":\"pkg:npm/lodash@4.17.21\"}]}");
        assertThat(deps(gate("1.1.0", List.of(clean)))).containsExactly("deps.downgrade:pkg:npm/lodash@4.17.20=BLOCKING");
    }

    @Test
    void aStoredSbomWhoseBytesChangedBlocks() throws Exception {
        release("1.0.0", deps("lodash@4.17.21:MIT"), true);
        repo.tag("v1.0.0");
        release("1.1.0", deps("lodash@4.17.20:MIT"), true);
        String sbomDigest;
        try (ReleaseContext ctx = ReleaseContext.open(env.context("", ""))) {
            sbomDigest = ctx.ledger().events("web@1.0.0").stream().filter(e -> EventType.SBOM_GENERATED.is(e)
                    && e.text("format").orElse("").equals("cyclonedx")).findFirst().orElseThrow().text("sbomDigest").orElseThrow();
        }
        // the insider rewrites the previous release's SBOM in the store to hide the downgrade
        String hex = sbomDigest.substring("sha256:".length());
        List<Path> blobs;
        try (Stream<Path> s = Files.walk(tmp.resolve("state"))) {
            blobs = s.filter(p -> p.getFileName().toString().equals(hex)).toList();
        }
        assertThat(blobs).isNotEmpty();
        for (Path b : blobs) {
            Files.writeString(b, Files.readString(b).replace("4.17.21", "4.17.19"));
        }
        EvaluateGates.Decision d = gate("1.1.0", List.of());
        assertThat(deps(d)).containsExactly("deps.baseline-unreadable:web@1.0.0=BLOCKING");
        assertThat(d.findings()).filteredOn(f -> f.finding().gate().equals("deps")).singleElement()
                .satisfies(f -> assertThat(f.finding().title()).contains("cannot be read back from the store"));
        assertThat(d.pass()).isFalse();
    }

    @Test
    void aReleaseWithoutAnSbomBlocksAndAFirstReleaseHasNothingToCompare() throws Exception {
        release("1.0.0", deps("lodash@4.17.21:MIT"), false);
        EvaluateGates.Decision none = gate("1.0.0", List.of());
        assertThat(deps(none)).containsExactly("deps.no-sbom:web@1.0.0=BLOCKING");

        PipelineSteps.generateSbom(GenerateSbomArgs.of(Map.of("name", "web", "version", "1.0.0")), env);
        EvaluateGates.Decision first = gate("1.0.0", List.of());
        assertThat(deps(first)).isEmpty();
        assertThat(first.pass()).isTrue();
        assertThat(record("1.0.0").dependencyChanges()).hasValueSatisfying(c -> {
            assertThat(c.baseline()).isEmpty();
            assertThat(c.notes()).singleElement().asString().contains("first release");
        });
    }

    @Test
    void aPreviousTagTheLedgerDoesNotKnowIsReportedNotSilentlyTreatedAsNoChange() throws Exception {
        repo.commit("chore: history before the ledger");
        repo.tag("v0.9.0");
        release("1.0.0", deps("lodash@4.17.21:MIT"), true);
        EvaluateGates.Decision d = gate("1.0.0", List.of());
        assertThat(deps(d)).containsExactly("deps.no-baseline:web@0.9.0=BELOW_THRESHOLD");
        assertThat(d.findings()).filteredOn(f -> f.finding().gate().equals("deps")).singleElement()
                .satisfies(f -> assertThat(f.finding().severity()).isEqualTo(io.releasegate.gates.Finding.Severity.MEDIUM));
    }
}
