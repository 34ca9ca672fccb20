package io.releasegate.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.testing.TestRepo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NextVersionTest {

    @TempDir
    Path tmp;

    static NextVersion.Result next(TestRepo repo) {
        return next(repo, Optional.empty());
    }

    static NextVersion.Result next(TestRepo repo, Optional<String> pre) {
        try (History h = History.open(repo.dir())) {
            return new NextVersion(h).preRelease(pre).call();
        }
    }

    @Test
    void firstVersionAndBumpsFollowConventionalCommits() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("chore: initial layout");
        assertThat(next(repo).version()).isEqualTo("0.1.0");
        repo.tag("v0.1.0");
        repo.commit("docs: readme");
        NextVersion.Result none = next(repo);
        assertThat(none.release()).isFalse();
        assertThat(none.version()).isEqualTo("0.1.0");
        repo.commit("fix: off by one\n\nRefs: PAY-1");
        assertThat(next(repo).version()).isEqualTo("0.1.1");
        repo.commit("feat(api): coupons\n\nRefs: PAY-2");
        assertThat(next(repo).version()).isEqualTo("0.2.0");
        repo.commit("feat!: new amount model\n\nRefs: PAY-3");
        assertThat(next(repo).version()).as("breaking while 0.x bumps minor").isEqualTo("0.2.0");
        repo.tag("v1.0.0");
        repo.commit("perf: faster rounding");
        assertThat(next(repo).version()).isEqualTo("1.0.1");
        repo.commit("refactor!: remove v1 endpoints");
        NextVersion.Result major = next(repo);
        assertThat(major.version()).isEqualTo("2.0.0");
        assertThat(major.bump()).isEqualTo(NextVersion.Bump.MAJOR);
        assertThat(major.previousTag()).contains("v1.0.0");
        assertThat(major.commits()).hasSize(2);
    }

    @Test
    void featureBranchSquashMergedThenReleased() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: first");
        repo.tag("v1.3.0");
        repo.git("switch", "-q", "-c", "feature/PAY-9-refunds");
        repo.commit("wip");
        repo.commit("more wip");
        repo.git("switch", "-q", "main");
        repo.git("merge", "-q", "--squash", "feature/PAY-9-refunds");
        repo.git("commit", "-q", "-m", "feat(refunds): partial refunds (#42)\n\nRefs: PAY-9");
        assertThat(next(repo).version()).isEqualTo("1.4.0");
        // a merge commit brings in the branch's commits; only conventional ones count, merges are skipped
        repo.git("switch", "-q", "-c", "feature/x");
        repo.commit("fix: edge case\n\nRefs: PAY-10");
        repo.git("switch", "-q", "main");
        repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #43 from team/feature-x", "feature/x");
        NextVersion.Result r = next(repo);
        assertThat(r.version()).isEqualTo("1.4.0");
        assertThat(r.commits()).noneMatch(History.Commit::isMerge);
    }

    @Test
    void theHighestReachableReleaseIsTheBaseNotOneOnAnotherBranch() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: a");
        repo.tag("v1.4.0");
        repo.git("switch", "-q", "-c", "release/1.4");
        repo.git("switch", "-q", "main");
        repo.commit("feat: b");
        repo.tag("v1.5.0");
        repo.git("switch", "-q", "release/1.4");
        String fix = repo.commit("fix: backported fix\n\nRefs: PAY-5");
        NextVersion.Result r = next(repo);
        assertThat(r.previousTag()).contains("v1.4.0");
        assertThat(r.version()).isEqualTo("1.4.1");
        assertThat(r.commits()).extracting(History.Commit::sha).containsExactly(fix);
    }

    @Test
    void releaseCandidatesCountUp() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: a");
        repo.tag("v1.0.0");
        repo.commit("feat: b");
        assertThat(next(repo, Optional.of("rc")).version()).isEqualTo("1.1.0-rc.1");
        repo.tag("v1.1.0-rc.1");
        repo.commit("fix: c");
        assertThat(next(repo, Optional.of("rc")).version()).as("pre-release tags are not the base")
                .isEqualTo("1.1.0-rc.2");
        assertThatThrownBy(() -> next(repo, Optional.of("rc.1"))).isInstanceOf(InputException.class);
    }

    @Test
    void calverCountsWithinTheMonth() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: a");
        Clock nov = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
        try (History h = History.open(repo.dir())) {
            assertThat(new NextVersion(h).scheme(NextVersion.Scheme.CALVER).clock(nov).call().version()).isEqualTo("2026.11.0");
        }
        repo.tag("v2026.11.0");
        repo.commit("fix: b");
        try (History h = History.open(repo.dir())) {
            assertThat(new NextVersion(h).scheme(NextVersion.Scheme.CALVER).clock(nov).call().version()).isEqualTo("2026.11.1");
            Clock dec = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
            assertThat(new NextVersion(h).scheme(NextVersion.Scheme.CALVER).clock(dec).call().version()).isEqualTo("2026.12.0");
        }
    }

    @Test
    void hotfixIsPatchPlusOneOfTheProductionTagAndMustStartThere() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: a");
        repo.tag("v1.4.1");
        repo.commit("feat: unreleased work on main");
        repo.git("switch", "-q", "-c", "hotfix/1.4.2-INC-1", "v1.4.1");
        repo.commit("fix: stop double charge\n\nRefs: INC-1");
        NextVersion.Result r = next(repo);
        assertThat(r.version()).isEqualTo("1.4.2");
        assertThat(r.reason()).contains("hotfix of v1.4.1");

        repo.git("switch", "-q", "-c", "hotfix/1.5.0-INC-2");
        assertThatThrownBy(() -> next(repo)).isInstanceOf(RefusedException.class)
                .hasMessageContaining("version.hotfix-patch").hasMessageContaining("hotfix/1.4.2-TICKET");
        repo.git("switch", "-q", "-c", "hotfix/oops");
        assertThatThrownBy(() -> next(repo)).isInstanceOf(InputException.class).hasMessageContaining("hotfix/X.Y.Z-TICKET");

        TestRepo fresh = TestRepo.init(tmp.resolve("fresh"));
        fresh.commit("feat: a");
        fresh.git("switch", "-q", "-c", "hotfix/0.0.1-INC-3");
        assertThatThrownBy(() -> next(fresh)).isInstanceOf(RefusedException.class)
                .hasMessageContaining("branch.hotfix-from-production-tag");
    }

    @Test
    void aHotfixForwardPortedToMainDoesNotMoveMainsBase() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: a");
        repo.tag("v1.4.1");
        repo.commit("feat: next feature on main");
        repo.git("switch", "-q", "-c", "hotfix/1.4.2-INC-1", "v1.4.1");
        String fix = repo.commit("fix: stop double charge\n\nRefs: INC-1");
        assertThat(next(repo).version()).isEqualTo("1.4.2");
        repo.tag("v1.4.2");
        repo.git("switch", "-q", "main");
        repo.git("cherry-pick", "-x", fix);
        NextVersion.Result onMain = next(repo);
        assertThat(onMain.previousTag()).contains("v1.4.1");
        assertThat(onMain.version()).isEqualTo("1.5.0");
        assertThat(onMain.commits().get(0).conventional().orElseThrow().cherryPickedFrom()).contains(fix);
    }

    @Test
    void aRevertIsAPatch() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: a");
        repo.tag("v2.0.0");
        String bad = repo.commit("chore: tweak config");
        repo.git("revert", "--no-edit", bad);
        assertThat(next(repo).version()).isEqualTo("2.0.1");
    }
}
