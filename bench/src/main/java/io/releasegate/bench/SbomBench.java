package io.releasegate.bench;

import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.progress.Progress;
import io.releasegate.sbom.Catalog;
import io.releasegate.sbom.CycloneDxWriter;
import io.releasegate.sbom.JvmCataloger;
import io.releasegate.sbom.Limits;
import io.releasegate.sbom.MavenRepositoryIndex;
import io.releasegate.sbom.SbomSubject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code sbom ARCHIVE OUT.json [MAVEN-REPO]}: the CycloneDX SBOM of one archive, exactly as {@code release-gate sbom}
 * builds it (digest, JVM cataloger, optional identification in a Maven repository, validated CycloneDX writer),
 * written to OUT.json; the script times the whole process and compares the components with the peers'.
 */
final class SbomBench {

    private SbomBench() {
    }

    static void run(Path archive, Path out, Optional<Path> mavenRepo) throws Exception {
        long t0 = System.nanoTime();
        Digest digest = Digester.withParallelism(1).digest(archive, Progress.NONE);
        Catalog catalog;
        try (InputStream in = Files.newInputStream(archive)) {
            catalog = JvmCataloger.catalog(archive.getFileName().toString(), in, Limits.defaults());
        }
        if (mavenRepo.isPresent()) {
            catalog = MavenRepositoryIndex.of(mavenRepo.get()).identify(catalog);
        }
        String name = archive.getFileName().toString().replaceFirst("\\.[^.]+$", "");
        byte[] bom = CycloneDxWriter.write(SbomSubject.release(name, "1.0.0", digest, Instant.EPOCH), catalog);
        Files.write(out, bom);
        System.out.printf(Locale.ROOT, "bench=sbom components=%d warnings=%d seconds_in_jvm=%.3f%n",
                catalog.packages().size(), catalog.warnings().size(), (System.nanoTime() - t0) / 1e9);
    }
}
