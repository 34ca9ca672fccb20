package io.releasegate.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium}, headless, on a page opened from a {@code file://} URL: the DOM after its scripts ran, or a
 * screenshot. Missing, it fails the test (it is a test dependency that {@code .ci/run} installs), never skips it.
 */
final class Chromium {

    private final Path program;
    private final Path profile;

    private Chromium(Path program, Path profile) {
        this.program = program;
        this.profile = profile;
    }

    static Chromium find(Path tmp) throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return new Chromium(p, Files.createDirectories(tmp.resolve("chromium-profile")));
                }
            }
        }
        throw new AssertionError("Debian's chromium is needed to check the report's page in a real browser and is not on the "
                + "PATH; .ci/run installs it (apt-get install chromium)");
    }

    /** The serialized DOM once the page's scripts ran. */
    String dumpDom(Path page) throws Exception {
        return run(page, List.of("--dump-dom"));
    }

    /** A PNG of the page's first {@code width} x {@code height} pixels. */
    Path screenshot(Path page, Path png, int width, int height) throws Exception {
        run(page, List.of("--screenshot=" + png, "--window-size=" + width + "," + height));
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("chromium wrote no screenshot to " + png);
        }
        return png;
    }

    private String run(Path page, List<String> what) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(program.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--user-data-dir=" + profile,
                "--virtual-time-budget=10000"));
        cmd.addAll(what);
        cmd.add(page.toUri().toString());
        Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
        Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 90 s: " + Files.readString(err));
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("chromium exited with " + p.exitValue() + ": " + Files.readString(err));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
