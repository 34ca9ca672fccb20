package io.releasegate.commits;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.testing.TestRepo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BranchCheckTest {

    @TempDir
    Path tmp;

    static BranchCheck.Result check(TestRepo repo, String branch) {
        try (History h = History.open(repo.dir())) {
            return new BranchCheck(h).branch(branch).call();
        }
    }

    @Test
    void namesFollowThePatterns() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: a");
        for (String ok : new String[] {"main", "feature/PAY-12-refunds", "release/1.4", "chore/bump-deps", "backport/1.4/PAY-12"}) {
            repo.git("switch", "-q", "-C", ok);
            assertThat(check(repo, ok).ok()).as(ok).isTrue();
        }
        BranchCheck.Result bad = check(repo, "my-stuff");
        assertThat(bad.kind()).isEqualTo("unknown");
        assertThat(bad.violations()).singleElement().satisfies(v -> assertThat(v.rule()).isEqualTo("branch.name"));
    }

    @Test
    void releaseBranchTakesOnlyFixesRevertsAndCherryPicksFromMainAfterTheCutoff() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: base");
        repo.tag("v1.4.0");
        repo.git("branch", "release/1.4");
        String fixOnMain = repo.commit("fix(rounding): half-even\n\nRefs: PAY-117");
        repo.git("switch", "-q", "release/1.4");
        repo.git("cherry-pick", "-x", fixOnMain);
        repo.commit("fix: release-only fix\n\nRefs: PAY-118");
        assertThat(check(repo, "release/1.4").violations()).isEmpty();

        String feat = repo.commit("feat: sneaked-in feature");
        repo.git("switch", "-q", "-c", "side", "v1.4.0");
        String notOnMain = repo.commit("fix: only on a side branch");
        repo.git("switch", "-q", "release/1.4");
        repo.git("cherry-pick", "-x", notOnMain);
        String pickedFromSide = repo.head();
        BranchCheck.Result r = check(repo, "release/1.4");
        assertThat(r.violations()).extracting(v -> v.commit().orElse("")).containsExactlyInAnyOrder(feat, pickedFromSide);
        assertThat(r.violations()).allSatisfy(v -> assertThat(v.rule()).isEqualTo("branch.release-after-cutoff"));
    }

    @Test
    void aHotfixBranchCutFromMainInsteadOfTheProductionTagIsReported() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: a");
        repo.tag("v1.4.1");
        String unreleased = repo.commit("feat: unreleased on main");
        repo.git("switch", "-q", "-c", "hotfix/1.4.2-INC-1", "v1.4.1");
        repo.commit("fix: urgent\n\nRefs: INC-1");
        assertThat(check(repo, "hotfix/1.4.2-INC-1").violations()).isEmpty();

        repo.git("switch", "-q", "main");
        repo.git("switch", "-q", "-c", "hotfix/1.4.3-INC-2");
        repo.commit("fix: also urgent\n\nRefs: INC-2");
        BranchCheck.Result r = check(repo, "hotfix/1.4.3-INC-2");
        assertThat(r.violations()).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo("branch.hotfix-from-production-tag");
            assertThat(v.commit()).contains(unreleased);
        });
    }
}
