package io.releasegate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.releasegate.error.InputException;
import io.releasegate.gates.PolicyException;
import io.releasegate.gates.Reports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The reports the gates read (SARIF, CycloneDX VEX or OSV-Scanner JSON, JUnit XML) and policy exception files, fuzzed:
 * a result or an {@link InputException}, nothing else (see {@link ScopeParsersFuzzTest} for how these run).
 */
class GateReportsFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void sarif(byte[] data) throws IOException {
        read(data, "r.sarif", f -> assertThat(Reports.sarif(f)).isNotNull());
    }

    @FuzzTest(maxDuration = "10s")
    void vulnerabilities(byte[] data) throws IOException {
        read(data, "vulns.json", f -> assertThat(Reports.vulnerabilities(f)).isNotNull());
    }

    @FuzzTest(maxDuration = "10s")
    void junit(byte[] data) throws IOException {
        read(data, "TEST-x.xml", f -> assertThat(Reports.junit(f).tests()).isNotNegative());
    }

    @FuzzTest(maxDuration = "10s")
    void policyException(byte[] data) throws IOException {
        read(data, "EX-1.yaml", f -> assertThat(PolicyException.load(f).file()).isNotNull());
    }

    private interface Reader {
        void read(Path file);
    }

    private static void read(byte[] data, String name, Reader reader) throws IOException {
        Path dir = Files.createTempDirectory("fuzz-report");
        Path f = dir.resolve(name);
        try {
            Files.write(f, data);
            reader.read(f);
        } catch (InputException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        }
    }
}
