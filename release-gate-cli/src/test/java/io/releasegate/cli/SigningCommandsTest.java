package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.json.Json;
import io.releasegate.signing.KeySigner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningCommandsTest {

    @TempDir
    Path tmp;

    int[] exit = new int[1];

    String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        exit[0] = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return out + err.toString();
    }

    @Test
    void signVerifyAndProvenanceFromTheCommandLine() throws Exception {
        String[] k = KeySigner.generatePem();
        Path key = Files.writeString(tmp.resolve("key.pem"), k[0]);
        Path pub = Files.writeString(tmp.resolve("pub.pem"), k[1]);
        Path other = Files.writeString(tmp.resolve("other.pem"), KeySigner.generatePem()[1]);
        Path file = Files.writeString(tmp.resolve("app.jar"), "bytes");
        assertThat(run("sign", "--key", key.toString(), file.toString())).contains("app.jar.sig");
        assertThat(exit[0]).isZero();
        assertThat(run("verify", "--key", pub.toString(), file.toString())).contains("verified");
        assertThat(exit[0]).isZero();
        assertThat(run("verify", "--key", other.toString(), file.toString())).contains("signature.mismatch");
        assertThat(exit[0]).isEqualTo(1);
        Files.writeString(file, "bytes!");
        run("verify", "--key", pub.toString(), file.toString());
        assertThat(exit[0]).isEqualTo(1);
        Files.delete(tmp.resolve("app.jar.sig"));
        assertThat(run("verify", "--key", pub.toString(), file.toString())).contains("signature.missing");
        assertThat(exit[0]).isEqualTo(1);
        run("verify", "--key", tmp.resolve("nope.pem").toString(), file.toString());
        assertThat(exit[0]).isEqualTo(2);

        String state = tmp.resolve("state").toString();
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("app.jar"), "app");
        run("build-once", "--state-dir", state, "--workspace", ws.toString(), "--actor", "ci", "--name", "payments",
                "--version", "1.0.0", "app.jar");
        assertThat(exit[0]).isZero();
        run("verify", "--release", "payments@1.0.0", "--key", pub.toString(), "--state-dir", state);
        assertThat(exit[0]).isEqualTo(1);
        assertThat(run("sign", "--release", "payments@1.0.0", "--key", key.toString(), "--public-key", pub.toString(),
                "--state-dir", state)).contains("signed payments@1.0.0");
        assertThat(run("verify", "--release", "payments@1.0.0", "--key", pub.toString(), "--state-dir", state)).contains("verified");
        assertThat(exit[0]).isZero();
        Path env = tmp.resolve("prov.json");
        run("provenance", "payments@1.0.0", "--key", key.toString(), "--out", env.toString(), "--state-dir", state,
                "--library-version", "v1.4.0");
        assertThat(exit[0]).isZero();
        assertThat(Json.mapper().readTree(env.toFile()).path("payloadType").asText()).isEqualTo("application/vnd.in-toto+json");
        String inspect = run("inspect", "payments@1.0.0", "--state-dir", state, "--json");
        var record = Json.mapper().readTree(inspect.substring(0, inspect.lastIndexOf('}') + 1)).path("record");
        assertThat(record.path("signatures").findValuesAsText("result")).containsExactly("failed", "signed", "verified");
        assertThat(record.path("provenance")).hasSize(1);
    }
}
