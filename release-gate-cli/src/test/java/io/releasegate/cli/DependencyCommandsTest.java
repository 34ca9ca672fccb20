package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sbom diff A B and scope deps: exit codes 0/1/2, --json, and the recorded SBOMs read back from the store. */
class DependencyCommandsTest {

    @TempDir
    Path tmp;

    static String cdx(String... purlLicense) {
        StringBuilder b = new StringBuilder("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[");
        for (int i = 0; i < purlLicense.length; i++) {
            String[] p = purlLicense[i].split(" ");
            String name = p[0].substring(p[0].indexOf('/') + 1, p[0].lastIndexOf('@'));
            b.append(i == 0 ? "" : ",").append("{\"name\":\"").append(name).append("\",\"version\":\"")
                    .append(p[0].substring(p[0].lastIndexOf('@') + 1)).append("\",\"purl\":\"").append(p[0])
                    .append("\",\"licenses\":[{\"license\":{\"id\":\"").append(p[1]).append("\"}}]}");
        }
        return b.append("]}").toString();
    }

    static String spdx(String name, String version, String license) {
        return "{\"spdxVersion\":\"SPDX-2.3\",\"SPDXID\":\"SPDXRef-DOCUMENT\",\"packages\":[{\"SPDXID\":\"SPDXRef-1\",\"name\":\"" + name
                + "\",\"versionInfo\":\"" + version + "\",\"licenseConcluded\":\"" + license + "\",\"externalRefs\":[{\"referenceCategory\":"
                + "\"PACKAGE-MANAGER\",\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:cargo/" + name + "@" + version + "\"}]}]}";
    }

    Path file(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void sbomDiffReviewsNewDependenciesAndBlocksDowngradesAndDeniedLicensesAcrossFormats() throws Exception {
        Path a = file("a.spdx.json", spdx("serde", "1.0.200", "MIT OR Apache-2.0"));
        Path up = file("up.cdx.json", cdx("pkg:cargo/serde@1.0.210 MIT", "pkg:cargo/rand@0.8.5 MIT"));
        Path down = file("down.cdx.json", cdx("pkg:cargo/serde@1.0.100 MIT"));
        Path gpl = file("gpl.cdx.json", cdx("pkg:cargo/serde@1.0.200 MIT", "pkg:cargo/readline@8.0.0 GPL-3.0-only"));

        CliRun ok = CliRun.of("sbom", "diff", a.toString(), up.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("- upgraded serde 1.0.200 -> 1.0.210", "- added rand 0.8.5 (MIT)",
                "review deps.new:pkg:cargo/rand@0.8.5", "ok: 2 change(s)");

        CliRun downgrade = CliRun.of("sbom", "diff", "--json", a.toString(), down.toString());
        assertThat(downgrade.exit()).isEqualTo(1);
        JsonNode d = downgrade.json();
        assertThat(d.path("ok").asBoolean()).isFalse();
        assertThat(d.path("downgraded").get(0).path("from").asText()).isEqualTo("1.0.200");
        assertThat(d.path("findings").get(0).path("id").asText()).isEqualTo("deps.downgrade:pkg:cargo/serde@1.0.100");
        assertThat(d.path("findings").get(0).path("blocking").asBoolean()).isTrue();

        CliRun denied = CliRun.of("sbom", "diff", "--json", a.toString(), gpl.toString());
        assertThat(denied.exit()).isEqualTo(1);
        assertThat(denied.json().path("findings").findValuesAsText("id")).contains("deps.license:GPL-3.0-only:pkg:cargo/readline@8.0.0");

        CliRun notSbom = CliRun.of("sbom", "diff", a.toString(), file("x.json", "{\"hello\":1}").toString());
        assertThat(notSbom.exit()).isEqualTo(2);
        assertThat(notSbom.err()).contains("x.json is neither a CycloneDX nor an SPDX JSON document");
        assertThat(CliRun.of("sbom", "diff", a.toString(), tmp.resolve("missing.json").toString()).err()).contains("no such SBOM file");
        assertThat(CliRun.of("sbom", "diff", a.toString(), file("bin.json", "\u0000\u00ff garbage").toString()).exit()).isEqualTo(2);
        assertThat(CliRun.of("sbom", "diff", "--help").out()).contains("Exit 0 when nothing blocks");
        CliRun noTarget = CliRun.of("sbom");
        assertThat(noTarget.exit()).isEqualTo(2);
        assertThat(noTarget.err()).contains("Missing required parameter");
    }

    @Test
    void scopeDepsListsChangedLockfilesAndComparesTheRecordedSboms() throws Exception {
        TestRepo repo = TestRepo.init(tmp.resolve("ws"));
        Path ws = repo.dir();
        String state = tmp.resolve("state").toString();
        release(repo, state, "1.0.0", "4.17.21");
        repo.tag("v1.0.0");
        repo.commit("docs: unrelated");
        release(repo, state, "1.1.0", "4.17.20");

        CliRun lockfiles = CliRun.of("scope", "deps", "--repo", ws.toString());
        assertThat(lockfiles.exit()).as(lockfiles.err()).isZero();
        assertThat(lockfiles.out()).contains("lockfile modify package-lock.json: ").contains("dev@example.com \"feat: web 1.1.0\"")
                .doesNotContain("docs: unrelated");

        CliRun compared = CliRun.of("scope", "deps", "--repo", ws.toString(), "--release", "web@1.1.0", "--state-dir", state, "--json");
        assertThat(compared.exit()).as(compared.out() + compared.err()).isEqualTo(1);
        JsonNode j = compared.json();
        assertThat(j.path("baseline").path("version").asText()).isEqualTo("1.0.0");
        assertThat(j.path("sbom").path("downgraded").get(0).path("name").asText()).isEqualTo("lodash");
        assertThat(j.path("lockfiles").get(0).path("path").asText()).isEqualTo("package-lock.json");
        assertThat(j.path("findings").findValuesAsText("id")).containsExactly("deps.downgrade:pkg:npm/lodash@4.17.20");

        CliRun unknownRange = CliRun.of("scope", "deps", "--repo", ws.toString(), "nope..HEAD");
        assertThat(unknownRange.exit()).isEqualTo(2);
        assertThat(unknownRange.err()).contains("nope");
        CliRun unknownRelease = CliRun.of("scope", "deps", "--repo", ws.toString(), "--release", "web@9.9.9", "--state-dir", state);
        assertThat(unknownRelease.exit()).isEqualTo(2);
        assertThat(unknownRelease.err()).contains("no 'built' event for web@9.9.9");
    }

    static void release(TestRepo repo, String state, String version, String lodash) throws Exception {
        Path ws = repo.dir();
        Files.writeString(ws.resolve("package-lock.json"), "{\"name\":\"web\",\"version\":\"" + version + "\",\"lockfileVersion\":3,"
                + "\"packages\":{\"\":{\"name\":\"web\",\"version\":\"" + version + "\"},\"node_modules/lodash\":{\"version\":\"" + lodash
                + "\",\"license\":\"MIT\"}}}");
        repo.git("add", "-A");
        repo.git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "feat: web " + version);
        CliRun built = CliRun.of("build-once", "--state-dir", state, "--workspace", ws.toString(), "--actor", "ci", "--name", "web",
                "--version", version, "package-lock.json");
        assertThat(built.exit()).as(built.err()).isZero();
        CliRun sbom = CliRun.of("sbom", "--state-dir", state, "web@" + version);
        assertThat(sbom.exit()).as(sbom.err()).isZero();
    }
}
