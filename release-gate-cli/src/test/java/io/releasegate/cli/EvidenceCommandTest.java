package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import io.releasegate.signing.KeySigner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceCommandTest {

    @TempDir
    Path tmp;

    int exit;

    String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return out + err.toString();
    }

    @Test
    void exportAndVerifyFromTheCommandLine() throws Exception {
        String[] k = KeySigner.generatePem();
        Path key = Files.writeString(tmp.resolve("key.pem"), k[0]);
        Path pub = Files.writeString(tmp.resolve("pub.pem"), k[1]);
        Path other = Files.writeString(tmp.resolve("other.pem"), KeySigner.generatePem()[1]);
        String state = tmp.resolve("state").toString();
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("app.jar"), "app");
        run("build-once", "--state-dir", state, "--workspace", ws.toString(), "--actor", "ci", "--name", "payments",
                "--version", "1.0.0", "app.jar");
        assertThat(exit).isZero();
        run("sign", "--release", "payments@1.0.0", "--key", key.toString(), "--public-key", pub.toString(), "--state-dir", state);
        assertThat(exit).isZero();

        Path bundle = tmp.resolve("evidence.tar");
        String text = run("evidence", "payments@1.0.0", "--out", bundle.toString(), "--key", key.toString(), "--state-dir", state,
                "--repo", ws.toString());
        assertThat(exit).as(text).isZero();
        assertThat(text).contains("exported payments@1.0.0").contains("MISSING  provenance");
        byte[] first = Files.readAllBytes(bundle);
        String json = run("evidence", "payments@1.0.0", "--out", bundle.toString(), "--key", key.toString(), "--state-dir", state,
                "--repo", ws.toString(), "--json");
        JsonNode doc = Json.mapper().readTree(json);
        assertThat(doc.path("index").path("missing").findValuesAsText("evidence")).contains("sbom-spdx", "provenance");
        assertThat(Files.readAllBytes(bundle)).isEqualTo(first);
        assertThat(tmp.toFile().list()).noneMatch(n -> n.endsWith(".tmp"));

        assertThat(run("evidence", "verify", bundle.toString(), "--public-key", pub.toString())).contains("verified evidence of payments@1.0.0");
        assertThat(exit).isZero();
        JsonNode verified = Json.mapper().readTree(run("evidence", "verify", bundle.toString(), "--public-key", pub.toString(), "--json"));
        assertThat(verified.path("verified").asBoolean()).isTrue();
        run("evidence", "verify", bundle.toString(), "--public-key", other.toString());
        assertThat(exit).isEqualTo(1);

        byte[] tampered = first.clone();
        tampered[tampered.length / 2] ^= 1;
        Path bad = Files.write(tmp.resolve("bad.tar"), tampered);
        String refused = run("evidence", "verify", bad.toString(), "--public-key", pub.toString(), "--json");
        assertThat(exit).isEqualTo(1);
        assertThat(Json.mapper().readTree(refused).path("error").path("refusals").get(0).path("rule").asText()).startsWith("evidence.");

        // bad input: exit 2, nothing written
        Path nowhere = tmp.resolve("out2.tar");
        run("evidence", "payments@9.9.9", "--out", nowhere.toString(), "--key", key.toString(), "--state-dir", state);
        assertThat(exit).isEqualTo(2);
        assertThat(nowhere).doesNotExist();
        run("evidence", "payments@1.0.0", "--out", nowhere.toString(), "--key", tmp.resolve("nokey.pem").toString(), "--state-dir", state);
        assertThat(exit).isEqualTo(2);
        assertThat(nowhere).doesNotExist();
        run("evidence", "payments@1.0.0", "--key", key.toString(), "--state-dir", state);
        assertThat(exit).isEqualTo(2);
        run("evidence", "verify", tmp.resolve("none.tar").toString(), "--public-key", pub.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(run("evidence", "--help")).contains("--out").contains("verify");
        assertThat(run("evidence", "verify", "--help")).contains("--public-key");
    }
}
