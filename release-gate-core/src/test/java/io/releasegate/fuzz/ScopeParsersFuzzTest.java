package io.releasegate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.releasegate.error.InputException;
import io.releasegate.policy.CommittedFiles;
import io.releasegate.sbom.SbomComponents;
import io.releasegate.sbom.SbomDiff;
import io.releasegate.sbom.Versions;
import io.releasegate.scope.FlagRegistry;
import io.releasegate.scope.SecretsAllowlist;

/**
 * Parsers of outside input, fuzzed: the team policy, the ledger's trust configuration, the feature-flag registry, the
 * secrets allowlist,
 * SBOM documents (CycloneDX or SPDX JSON), strict UTF-8 decoding, and the version order. Whatever the bytes, the only
 * failure a parser may raise is an {@link InputException} (exit 2 with a message), or for a team policy the refusal of
 * one that loosens the library's; anything else is a bug. Without
 * {@code JAZZER_FUZZ} each test runs its committed inputs (src/test/resources/io/releasegate/fuzz/
 * ScopeParsersFuzzTestInputs/METHOD/) as a regression test; {@code bench/fuzz.sh} fuzzes them for longer.
 */
class ScopeParsersFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void flagRegistry(byte[] data) {
        try {
            FlagRegistry r = FlagRegistry.parse("flags/registry.yaml", data);
            assertThat(r).isNotNull();
        } catch (InputException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /** The team's policy, over the library default (written to a file, as the loader reads it). */
    @FuzzTest(maxDuration = "10s")
    void teamPolicy(byte[] data) throws java.io.IOException {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("fuzz-policy", ".yaml");
        try {
            java.nio.file.Files.write(f, data);
            assertThat(io.releasegate.policy.PolicyLoader.load(java.util.Optional.of(f)).digest()).isNotNull();
        } catch (InputException | io.releasegate.error.RefusedException expected) {
            // bad input (exit 2), or a policy that loosens the library's (policy.loosened, exit 1)
            assertThat(expected.getMessage()).isNotBlank();
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

    /** The ledger's trust configuration. */
    @FuzzTest(maxDuration = "10s")
    void ledgerTrust(byte[] data) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("fuzz-trust");
        java.nio.file.Path f = dir.resolve("trust.yaml");
        try {
            java.nio.file.Files.write(f, data);
            assertThat(io.releasegate.ledger.LedgerTrust.load(f)).isNotNull();
        } catch (InputException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } finally {
            java.nio.file.Files.deleteIfExists(f);
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void releaseTrain(FuzzedDataProvider data) {
        try {
            io.releasegate.train.TrainConfig c = io.releasegate.train.TrainConfig.parse("release-train.yaml",
                    data.consumeRemainingAsString());
            // a train that parses has a schedule: every train reaches production before the next cutoff
            assertThat(c.occurrence(3).production()).isBefore(c.occurrence(4).cutoff());
        } catch (InputException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @FuzzTest(maxDuration = "10s")
    void secretsAllowlist(FuzzedDataProvider data) {
        try {
            SecretsAllowlist.parse(".release/secrets-allowlist.yaml", data.consumeRemainingAsString());
        } catch (InputException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @FuzzTest(maxDuration = "10s")
    void sbomDiff(FuzzedDataProvider data) {
        byte[] a = data.consumeBytes(data.consumeInt(0, 4096));
        byte[] b = data.consumeRemainingAsBytes();
        try {
            SbomDiff d = SbomDiff.of(SbomComponents.read(a, "a.json"), SbomComponents.read(b, "b.json"));
            assertThat(d.toJson()).isNotNull();
            assertThat(d.markdown()).isNotNull();
        } catch (InputException expected) {
            assertThat(expected.getMessage()).contains(".json");
        }
    }

    @FuzzTest(maxDuration = "10s")
    void strictUtf8(byte[] data) {
        try {
            String text = CommittedFiles.utf8(data, "f");
            assertThat(text.indexOf('\0')).isNegative();
            assertThat(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(data);
        } catch (InputException expected) {
            assertThat(expected.getMessage()).startsWith("f is not");
        }
    }

    @FuzzTest(maxDuration = "10s")
    void versionOrder(FuzzedDataProvider data) {
        String a = data.consumeString(40);
        String b = data.consumeString(40);
        String c = data.consumeRemainingAsString();
        int ab = Integer.signum(Versions.ORDER.compare(a, b));
        assertThat(Integer.signum(Versions.ORDER.compare(b, a))).isEqualTo(-ab);
        if (ab <= 0 && Versions.ORDER.compare(b, c) <= 0) {
            assertThat(Versions.ORDER.compare(a, c)).isLessThanOrEqualTo(0);
        }
    }
}
