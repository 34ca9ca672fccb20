package io.releasegate.commits;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.testing.Git;
import io.releasegate.testing.TestRepo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The patch id is git's {@code patch-id --stable}: checked against the git command line. */
class PatchIdTest {

    @TempDir
    Path tmp;

    static String id(TestRepo repo, String sha) {
        try (History h = History.open(repo.dir())) {
            return new PatchId(h.repository()).of(sha).id().name();
        }
    }

    static String lines(int from, int to, String changed, int at) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i <= to; i++) {
            b.append(i == at ? changed : "line " + i).append('\n');
        }
        return b.toString();
    }

    @Test
    void isGitsStablePatchIdForAddedChangedAndDeletedFiles() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.write("src/Amount.java", lines(1, 40, "line 1", 0));
        repo.write("src/Rounding.java", "class Rounding {\n\tint mode;\n}\n");
        repo.write("docs/old.md", "old\n");
        String root = repo.commitAll("feat: start", "Dev", "dev@example.com");
        repo.write("src/Amount.java", lines(1, 40, "line 3 changed", 3).replace("line 37\n", "line 37 changed too\n"));
        repo.write("src/Rounding.java", "class Rounding {\n\tint mode = 2;\n}\n");
        repo.write("src/New.java", "class New {}\n");
        repo.git("rm", "-q", "docs/old.md");
        String change = repo.commitAll("fix: several files, two hunks", "Dev", "dev@example.com");
        for (String sha : new String[] {root, change}) {
            assertThat(id(repo, sha)).as(sha).isEqualTo(Git.patchIdStable(repo.dir(), sha));
        }
    }

    @Test
    void aCleanCherryPickHasItsOriginalsIdAndWhitespaceDoesNotCount() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.write("a.txt", lines(1, 30, "", 0));
        repo.commitAll("chore: start", "Dev", "dev@example.com");
        repo.git("branch", "release/1.0");
        repo.write("z.txt", "moves line numbers\n");
        repo.write("a.txt", "inserted\ninserted\n" + lines(1, 30, "line 20 fixed", 20));
        repo.commitAll("chore: unrelated on main", "Dev", "dev@example.com");
        repo.write("a.txt", "inserted\ninserted\n" + lines(1, 30, "line 25  fixed", 25).replace("line 20\n", "line 20 fixed\n"));
        String fix = repo.commitAll("fix: line 25", "Dev", "dev@example.com");
        repo.git("switch", "-q", "release/1.0");
        repo.write("a.txt", lines(1, 30, "line 20 fixed", 20));
        repo.commitAll("fix: 20 on the release branch", "Dev", "dev@example.com");
        repo.git("cherry-pick", "-x", fix);
        String pick = repo.head();
        assertThat(id(repo, pick)).isEqualTo(id(repo, fix)).isEqualTo(Git.patchIdStable(repo.dir(), pick))
                .isEqualTo(Git.patchIdStable(repo.dir(), fix));

        repo.write("a.txt", lines(1, 30, "line 25\tfixed", 25).replace("line 20\n", "line 20 fixed\n"));
        String spaced = repo.commitAll("style: a tab", "Dev", "dev@example.com");
        assertThat(Git.patchIdStable(repo.dir(), spaced)).isEqualTo(id(repo, spaced));
    }

    @Test
    void aComparisonNamesTheFilesAndHunksThatDiffer() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.write("a.txt", lines(1, 40, "", 0));
        repo.write("b.txt", "b\n");
        String base = repo.commitAll("chore: start", "Dev", "dev@example.com");
        repo.write("a.txt", lines(1, 40, "line 3 fixed", 3).replace("line 35\n", "line 35 fixed\n"));
        repo.write("b.txt", "b fixed\n");
        String original = repo.commitAll("fix: three places", "Dev", "dev@example.com");
        repo.git("switch", "-q", "-c", "other", base);
        repo.write("a.txt", lines(1, 40, "line 3 fixed", 3).replace("line 35\n", "line 35 resolved otherwise\n"));
        String resolved = repo.commitAll("fix: resolved", "Dev", "dev@example.com");
        repo.write("c.txt", "something else\n");
        String unrelated = repo.commitAll("feat: something else", "Dev", "dev@example.com");
        try (History h = History.open(repo.dir())) {
            PatchId ids = new PatchId(h.repository());
            PatchId.Comparison differs = PatchId.compare(ids.of(resolved), ids.of(original));
            assertThat(differs.same()).isFalse();
            assertThat(differs.related()).isTrue();
            assertThat(differs.differences()).hasSize(2);
            assertThat(differs.differences().get(0)).startsWith("a.txt: hunks differ").contains("@@ -32,7 +32,7 @@")
                    .doesNotContain("@@ -1,6");
            assertThat(differs.differences().get(1)).isEqualTo("b.txt: changed by " + original.substring(0, 7) + " only");
            PatchId.Comparison none = PatchId.compare(ids.of(unrelated), ids.of(original));
            assertThat(none.related()).isFalse();
            assertThat(PatchId.compare(ids.of(original), ids.of(original)).same()).isTrue();
        }
    }
}
