package io.releasegate.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.InputException;
import io.releasegate.progress.Progress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigesterTest {

    @TempDir
    Path dir;

    @Test
    void knownVectors() throws IOException {
        assertThat(Digester.of(new byte[0]).toString())
                .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(Digester.of("abc".getBytes(StandardCharsets.US_ASCII)).toString())
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Digester.of(new ByteArrayInputStream("abc".getBytes(StandardCharsets.US_ASCII))).hex())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void fileDigestAgreesWithSha256sumAcrossBufferBoundaries() throws Exception {
        // 3.5 buffers: exercises full reads and a partial last read
        byte[] data = new byte[Digester.BUFFER_SIZE * 3 + Digester.BUFFER_SIZE / 2];
        new Random(42).nextBytes(data);
        Path f = Files.write(dir.resolve("big.bin"), data);
        AtomicLong seen = new AtomicLong();
        Progress counting = new Progress() {
            public void start(String task, long total) {
            }

            public void advance(long bytes) {
                seen.addAndGet(bytes);
            }

            public void finish() {
            }
        };
        Digest d = Digester.defaults().digest(f, counting);
        assertThat(d).isEqualTo(Digester.of(data));
        assertThat(seen.get()).isEqualTo(data.length);
        // independent checker: coreutils
        Process p = new ProcessBuilder("sha256sum", f.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).startsWith(d.hex() + " ");
    }

    @Test
    void parallelDigestsKeepInputOrder() throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            files.add(Files.writeString(dir.resolve("f" + i), "content " + i));
        }
        List<Digest> parallel = Digester.withParallelism(4).digestAll(files, Progress.NONE);
        List<Digest> serial = Digester.withParallelism(1).digestAll(files, Progress.NONE);
        assertThat(parallel).isEqualTo(serial).hasSize(40);
        assertThat(parallel.get(7)).isEqualTo(Digester.of("content 7".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void missingFileIsAnInputErrorNamingIt() throws IOException {
        List<Path> files = List.of(Files.writeString(dir.resolve("a"), "a"), dir.resolve("missing"));
        assertThatThrownBy(() -> Digester.withParallelism(2).digestAll(files, Progress.NONE))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void digestParsingIsStrict() {
        Digest d = Digest.parse("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(d.algorithm()).isEqualTo("sha256");
        assertThat(d.shortForm()).isEqualTo("sha256:ba7816bf8f01");
        for (String bad : List.of("", "sha256", "sha256:", "md5:abcd", "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
                "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", ":abc")) {
            assertThatThrownBy(() -> Digest.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("digest");
        }
    }
}
