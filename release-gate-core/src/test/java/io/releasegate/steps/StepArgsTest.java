package io.releasegate.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.sbom.SbomFormat;
import io.releasegate.version.NextVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each step's parser: the valid arguments, what is required, the defaults and the typed values. */
class StepArgsTest {

    static final String DIGEST = "sha256:" + "ab".repeat(32);

    static Map<String, Object> release(Object... more) {
        Map<String, Object> m = new HashMap<>(Map.of("name", "payments", "version", "1.4.0"));
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i].toString(), more[i + 1]);
        }
        return m;
    }

    /** Every step's parser with the step name and the valid arguments it names in a refusal, as the pipeline knows them. */
    static Stream<Arguments> parsers() {
        return Stream.of(
                parser("buildOnce", BuildOnceArgs::of, "[artifacts, ledger, name, store, targets, version]"),
                parser("generateSbom", GenerateSbomArgs::of, "[format, ledger, mavenRepo, name, out, spdxOut, store, version]"),
                parser("sign", SignArgs::of, "[ledger, name, store, version]"),
                parser("verifySignatures", VerifySignaturesArgs::of, "[ledger, name, store, version]"),
                parser("verifySignatures", VerifyCertificateArgs::of, "[certificateIdentity, certificateIdentityRegexp, "
                        + "certificateOidcIssuer, ledger, name, store, version]"),
                parser("plan", PlanArgs::of, "[branch, changeRequest, emergency, version]"),
                parser("libraryCheck", LibraryCheckArgs::of, "[libraryName, libraryVersion]"),
                parser("tag", TagArgs::of, "[branch, ledger, name, remote, store, version]"),
                parser("approvalStatus", ApprovalStatusArgs::of, "[digest, environment, ledger, name, store, version]"),
                parser("provenance", ProvenanceArgs::of, "[builderId, invocationId, jenkinsfile, ledger, libraryName, "
                        + "libraryVersion, name, ref, repository, store, version]"),
                parser("gate", GateArgs::of, "[branch, environment, junit, ledger, name, notApplicable, sarif, sbom, store, "
                        + "version, vulns]"),
                parser("approveProduction", ApproveProductionArgs::of, "[digest, environment, ledger, name, rationale, role, "
                        + "store, version]"),
                parser("noGo", NoGoArgs::of, "[digest, environment, ledger, name, reason, store, version]"),
                parser("promoteDigest", PromoteDigestArgs::of, "[digest, emergency, incident, ledger, name, store, to, version]"),
                parser("verifyProduction", VerifyProductionArgs::of, "[checks, ledger, name, store, timeoutSeconds, version]"),
                parser("nextVersion", NextVersionArgs::of, "[branch, preRelease, rev, scheme]"),
                parser("releaseRecord", ReleaseRecordArgs::of, "[ledger, name, out, store, version]"),
                parser("recordRun", RecordRunArgs::of, "[branch, commit, durationMs, ledger, name, result, run, stages, store]"),
                parser("report", ReportArgs::of, "[from, hotfixDays, ledger, month, out, repos, store, to]"));
    }

    static Arguments parser(String step, Function<Map<String, ?>, ?> of, String valid) {
        return Arguments.of(step, of, valid);
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("parsers")
    void anUnknownArgumentIsRefusedListingTheValidOnes(String step, Function<Map<String, ?>, ?> of, String valid) {
        assertThatThrownBy(() -> of.apply(Map.of("zeta", 1, "alpha", 2)))
                .isInstanceOf(InputException.class)
                .hasMessage(step + ": unknown argument(s) [alpha, zeta]; valid: " + valid);
    }

    @Test
    void aMissingRequiredArgumentIsNamed() {
        assertThatThrownBy(() -> BuildOnceArgs.of(Map.of("version", "1.4.0", "artifacts", "a.jar")))
                .isInstanceOf(InputException.class).hasMessage("argument 'name' is required");
        assertThatThrownBy(() -> BuildOnceArgs.of(Map.of("name", "payments", "version", "1.4.0")))
                .isInstanceOf(InputException.class)
                .hasMessage("argument 'artifacts' is required (a path or glob, or a list of them)");
        assertThatThrownBy(() -> SignArgs.of(Map.of("name", "payments")))
                .isInstanceOf(InputException.class).hasMessage("argument 'version' is required");
        assertThatThrownBy(() -> PromoteDigestArgs.of(release("digest", DIGEST)))
                .isInstanceOf(InputException.class).hasMessage("argument 'to' is required");
        assertThatThrownBy(() -> ApproveProductionArgs.of(release()))
                .isInstanceOf(InputException.class).hasMessage("argument 'digest' is required");
        assertThatThrownBy(() -> PlanArgs.of(Map.of()))
                .isInstanceOf(InputException.class).hasMessage("argument 'branch' is required");
    }

    @Test
    void artifactsAreAListOrACommaSeparatedString() {
        assertThat(BuildOnceArgs.of(release("artifacts", "target/*.jar, docs/guide.pdf,, ")))
                .isEqualTo(new BuildOnceArgs("payments", "1.4.0", List.of("target/*.jar", "docs/guide.pdf"), "", ""));
        // a list is taken as it is: a name may hold a comma
        assertThat(BuildOnceArgs.of(release("artifacts", List.of("a,b.jar", new StringBuilder("c.jar")), "store", "oci://r/t",
                "ledger", "ssh://git@host/ledger.git")))
                .isEqualTo(new BuildOnceArgs("payments", "1.4.0", List.of("a,b.jar", "c.jar"), "oci://r/t", "ssh://git@host/ledger.git"));
        // the expected targets the same way
        assertThat(BuildOnceArgs.of(release("artifacts", "a.jar", "targets", "app-amd64.tar, app-arm64.tar")).targets())
                .containsExactly("app-amd64.tar", "app-arm64.tar");
        // any value is read as its text (a Groovy GString, a number)
        assertThat(BuildOnceArgs.of(Map.of("name", new StringBuilder("payments"), "version", 2, "artifacts", "a.jar")).version())
                .isEqualTo("2");
    }

    @Test
    void gateReportsAreListsOrStringsAndNotApplicableIsAMapOfText() {
        Map<String, Object> na = new LinkedHashMap<>();
        na.put("dast", "no network service");
        na.put("lint", true);
        GateArgs gate = GateArgs.of(release("sarif", "a.sarif,b.sarif", "junit", List.of("target/surefire/*.xml"),
                "notApplicable", na));

        assertThat(gate).isEqualTo(new GateArgs("payments", "1.4.0", "", "", List.of("a.sarif", "b.sarif"), List.of(), List.of(),
                List.of("target/surefire/*.xml"), Map.of("dast", "no network service", "lint", "true"), "main", "production"));
        assertThat(gate.notApplicable().keySet()).containsExactly("dast", "lint");
        // anything but a map declares nothing, as before
        assertThat(GateArgs.of(release("notApplicable", "dast")).notApplicable()).isEmpty();
    }

    @Test
    void promoteDigestReadsTheDigestTheIncidentAndTheEmergency() {
        Map<String, Object> emergency = Map.of("reason", " outage ", "scope", "payments", "rollbackPlan", "promote 1.3.9",
                "followUps", "review PAY-1\n\n  alert PAY-2 \n");
        PromoteDigestArgs args = PromoteDigestArgs.of(release("digest", DIGEST, "to", "production", "incident", "INC-7",
                "emergency", emergency));

        assertThat(args.digest()).isEqualTo(Digest.parse(DIGEST));
        assertThat(args.incident()).contains("INC-7");
        assertThat(args.emergency()).contains(new EmergencyArgs("outage", "payments", "promote 1.3.9",
                List.of("review PAY-1", "alert PAY-2")));
        assertThat(args.emergency().orElseThrow().change("mia").approver()).isEqualTo("mia");
        assertThat(PromoteDigestArgs.of(release("digest", DIGEST, "to", "dev")))
                .isEqualTo(new PromoteDigestArgs("payments", "1.4.0", "", "", Digest.parse(DIGEST), "dev", Optional.empty(),
                        Optional.empty()));
        assertThat(EmergencyArgs.of(Map.of("followUps", List.of(" a ", "", "b"))).followUps()).containsExactly("a", "b");
    }

    @Test
    void anEmergencyIsAMapWithoutItsApprover() {
        assertThatThrownBy(() -> EmergencyArgs.of("outage")).isInstanceOf(InputException.class)
                .hasMessage("emergency must be a map of [followUps, reason, rollbackPlan, scope]");
        assertThatThrownBy(() -> EmergencyArgs.of(Map.of("approver", "mallory"))).isInstanceOf(InputException.class)
                .hasMessageContaining("never an argument");
        assertThatThrownBy(() -> PlanArgs.of(Map.of("branch", "main", "emergency", Map.of("rollback", "x"))))
                .isInstanceOf(InputException.class)
                .hasMessage("emergency: unknown argument(s) [rollback]; valid: [followUps, reason, rollbackPlan, scope]");
    }

    @Test
    void typedValuesAndDefaults() {
        assertThat(VerifyProductionArgs.of(release()).timeout()).isEqualTo(Duration.ofSeconds(300));
        Map<String, Object> checks = new LinkedHashMap<>(Map.of("smoke", "curl -f http://localhost/health"));
        checks.put("metrics", "true");
        VerifyProductionArgs verify = VerifyProductionArgs.of(release("timeoutSeconds", 30, "checks", checks));
        assertThat(verify.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(verify.checks().keySet()).containsExactly("smoke", "metrics");

        assertThat(NextVersionArgs.of(Map.of())).isEqualTo(new NextVersionArgs("HEAD", Optional.empty(), NextVersion.Scheme.SEMVER,
                Optional.empty()));
        assertThat(NextVersionArgs.of(Map.of("scheme", "CalVer", "preRelease", "rc")).scheme()).isEqualTo(NextVersion.Scheme.CALVER);
        assertThatThrownBy(() -> NextVersionArgs.of(Map.of("scheme", "roman"))).isInstanceOf(InputException.class)
                .hasMessage("nextVersion: scheme must be semver or calver, not roman");

        assertThat(PlanArgs.of(Map.of("branch", "main", "changeRequest", true, "version", " ")))
                .isEqualTo(new PlanArgs("main", true, Optional.empty(), Optional.empty()));
        assertThat(PlanArgs.of(Map.of("branch", "main", "changeRequest", "yes")).changeRequest()).isFalse();
        assertThat(TagArgs.of(release("remote", " ", "branch", "release/1.4")))
                .isEqualTo(new TagArgs("payments", "1.4.0", "", "", Optional.of("release/1.4"), Optional.empty()));
        assertThat(LibraryCheckArgs.of(Map.of())).isEqualTo(new LibraryCheckArgs("golden", ""));
        assertThat(NoGoArgs.of(release("digest", DIGEST))).isEqualTo(new NoGoArgs("payments", "1.4.0", "", "", Digest.parse(DIGEST),
                "aborted", "production"));
        assertThat(ApprovalStatusArgs.of(release("digest", DIGEST, "environment", "staging")).environment()).isEqualTo("staging");
        assertThat(ProvenanceArgs.of(release())).isEqualTo(new ProvenanceArgs("payments", "1.4.0", "", "", "unknown", "unknown",
                "Jenkinsfile", "golden", "unknown", "unknown", "unknown"));
        assertThat(ReleaseRecordArgs.of(release("out", "target/record.json")).out()).contains("target/record.json");
    }

    @Test
    void sbomFormatsAndTheFilesOfEach() {
        assertThat(GenerateSbomArgs.of(release()).formats()).containsExactly(SbomFormat.CYCLONEDX, SbomFormat.SPDX);
        assertThat(GenerateSbomArgs.of(release("format", "spdx", "spdxOut", "sbom.spdx.json")))
                .isEqualTo(new GenerateSbomArgs("payments", "1.4.0", "", "", List.of(SbomFormat.SPDX), Optional.empty(),
                        Optional.of("sbom.spdx.json"), Optional.empty()));
        assertThatThrownBy(() -> GenerateSbomArgs.of(release("format", "spdx", "out", "x.json"))).isInstanceOf(InputException.class)
                .hasMessage("generateSbom: 'out' names the " + SbomFormat.CYCLONEDX.title() + " file, but format 'spdx' does not write it");
        assertThatThrownBy(() -> GenerateSbomArgs.of(release("format", "xml"))).isInstanceOf(InputException.class)
                .hasMessageContaining("unknown SBOM format 'xml'");
    }

    @Test
    void certificateArgumentsBelongToCertificateMode() {
        assertThatThrownBy(() -> VerifySignaturesArgs.of(release("certificateOidcIssuer", "https://issuer")))
                .isInstanceOf(InputException.class).hasMessageStartingWith("verifySignatures: [certificateOidcIssuer] belong to "
                        + "certificate mode");
        assertThat(VerifyCertificateArgs.of(release("certificateIdentity", "  ", "certificateOidcIssuer", "https://issuer")))
                .isEqualTo(new VerifyCertificateArgs("payments", "1.4.0", "", "", Optional.empty(), Optional.empty(),
                        Optional.of("https://issuer")));
    }

    @Test
    void theAdapterChoosesTheModeAndNamesAMissingKey() {
        StepEnvironment env = StepEnvironment.of(Path.of("workspace"), Path.of("state"), "ci");
        assertThatThrownBy(() -> Step.SIGN.call(release(), env, TrustedInputs.none())).isInstanceOf(IllegalStateException.class)
                .hasMessage("sign needs the private key");
        assertThatThrownBy(() -> Step.SIGN.call(release(), env, TrustedInputs.none().privateKey(Path.of("k"))))
                .isInstanceOf(IllegalStateException.class).hasMessage("sign needs the public key");
        assertThatThrownBy(() -> Step.VERIFY_SIGNATURES.call(release(), env, TrustedInputs.none()))
                .isInstanceOf(IllegalStateException.class).hasMessage("verifySignatures needs the public key");
        // any certificate argument selects certificate mode, which needs the trust root, not a public key
        assertThatThrownBy(() -> Step.VERIFY_SIGNATURES.call(release("certificateIdentity", "https://ci/job/payments",
                "certificateOidcIssuer", "https://issuer"), env, TrustedInputs.none()))
                .isInstanceOf(InputException.class)
                .hasMessage("verifySignatures: certificate mode needs a trust root (trusted_root.json or a PEM bundle of CA certificates)");
        assertThatThrownBy(() -> Step.TAG.call(release(), env, TrustedInputs.none())).isInstanceOf(IllegalStateException.class)
                .hasMessage("tag needs the OpenPGP tag signing key");
        assertThatThrownBy(() -> Step.GATE.call(release("sarif", 1, "bogus", 2), env, TrustedInputs.none()))
                .isInstanceOf(InputException.class).hasMessageStartingWith("gate: unknown argument(s) [bogus]");
        assertThat(TrustedInputs.none().emergencyApprover(" ").emergencyApprover()).isEmpty();
    }
}
