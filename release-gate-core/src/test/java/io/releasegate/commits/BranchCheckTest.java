package io.releasegate.commits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.testing.Git;
import io.releasegate.testing.TestRepo;
import io.releasegate.version.NextVersion;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
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
        String revert = repo.git("rev-parse", "HEAD");
        repo.git("revert", "--no-edit", revert);
        repo.git("cherry-pick", "-x", fixOnMain);
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
        assertThat(r.violations()).filteredOn(v -> v.rule().equals("branch.hotfix-from-production-tag")).singleElement()
                .satisfies(v -> assertThat(v.commit()).contains(unreleased));
        // and, as next-version says, 1.4.3 is not PATCH+1 of v1.4.1
        assertThat(r.violations()).extracting(BranchCheck.Violation::rule)
                .containsExactly("version.hotfix-patch", "branch.hotfix-from-production-tag");
    }

    static String justification(String commit, String author, String approvers, String expires) {
        return "fixes:\n  - commit: " + commit + "\n    branch: release/1.4\n    reason: the 1.4 schema only\n"
                + "    ticket: PAY-118\n    author: " + author + "\n    approvers: " + approvers + "\n"
                + (expires.isEmpty() ? "" : "    expires: " + expires + "\n");
    }

    static BranchCheck.Result check(TestRepo repo, String branch, LocalDate today) {
        try (History h = History.open(repo.dir())) {
            return new BranchCheck(h).branch(branch).clock(Clock.fixed(today.atStartOfDay().toInstant(ZoneOffset.UTC),
                    ZoneOffset.UTC)).call();
        }
    }

    /** Commits a justification file on main (the reviewed record) and goes back to the release branch. */
    static void justifyOnMain(TestRepo repo, String text) {
        repo.git("switch", "-q", "main");
        repo.write(ReleaseFixJustifications.FILE, text);
        repo.commitAll("docs: justify a release-branch fix\n\nRefs: PAY-118", "Lead", "lead@example.com");
        repo.git("switch", "-q", "release/1.4");
    }

    @Test
    void aFixMadeDirectlyOnTheReleaseBranchNeedsAReviewedJustificationOnMain() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: base");
        repo.tag("v1.4.0");
        repo.git("branch", "release/1.4");
        repo.git("switch", "-q", "release/1.4");
        String direct = repo.commit("fix: release-only fix\n\nRefs: PAY-118");
        LocalDate today = LocalDate.parse("2026-12-07");

        BranchCheck.Result none = check(repo, "release/1.4", today);
        assertThat(none.violations()).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo("branch.release-fix-not-from-main");
            assertThat(v.commit()).contains(direct);
            assertThat(v.message()).contains(direct.substring(0, 7)).contains("no entry of");
            assertThat(v.remedy()).contains("git cherry-pick -x").contains(ReleaseFixJustifications.FILE).contains(direct);
        });

        // on the release branch itself it justifies nothing: the record is read from main
        repo.write(ReleaseFixJustifications.FILE, justification(direct, "dev@example.com", "[lead@example.com]", ""));
        repo.commitAll("fix: justify it here\n\nRefs: PAY-118", "Dev Eloper", "dev@example.com");
        repo.git("reset", "-q", "--hard", "HEAD~1");
        assertThat(check(repo, "release/1.4", today).violations()).extracting(BranchCheck.Violation::rule)
                .containsExactly("branch.release-fix-not-from-main");

        // approved only by the fix's author: not a review
        justifyOnMain(repo, justification(direct, "lead@example.com", "[dev@example.com]", ""));
        assertThat(check(repo, "release/1.4", today).violations()).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("the author is never the sole approver"));

        justifyOnMain(repo, justification(direct, "dev@example.com", "[lead@example.com]", "2026-12-01"));
        assertThat(check(repo, "release/1.4", today).violations()).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("expired on 2026-12-01"));

        justifyOnMain(repo, justification(direct, "dev@example.com", "[lead@example.com]", "2027-06-30"));
        assertThat(check(repo, "release/1.4", today).violations()).isEmpty();

        justifyOnMain(repo, "fixes:\n  - commit: " + direct + "\n    branch: release/1.4\n");
        assertThatThrownBy(() -> check(repo, "release/1.4", today)).isInstanceOf(InputException.class)
                .hasMessageContaining("entry 1").hasMessageContaining("missing");
    }

    @Test
    void aCherryPickLineIsAClaimThatTheChangeIsTheOriginals() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            lines.append("line ").append(i).append('\n');
        }
        repo.write("src/a.txt", lines.toString());
        repo.commitAll("feat: base", "Dev", "dev@example.com");
        repo.tag("v1.4.0");
        repo.git("branch", "release/1.4");
        repo.write("src/a.txt", lines.toString().replace("line 3\n", "line 3 fixed\n").replace("line 35\n", "line 35 fixed\n"));
        String fix = repo.commitAll("fix(rounding): half-even\n\nRefs: PAY-117", "Dev", "dev@example.com");
        repo.git("switch", "-q", "release/1.4");
        repo.git("cherry-pick", "-x", fix);
        String clean = repo.head();
        assertThat(Git.patchIdStable(repo.dir(), clean)).isEqualTo(Git.patchIdStable(repo.dir(), fix));
        BranchCheck.Result ok = check(repo, "release/1.4");
        assertThat(ok.violations()).isEmpty();
        assertThat(ok.findings()).isEmpty();

        // a pick whose conflict was resolved by hand: a finding naming the file and the hunk, not a violation
        repo.git("reset", "-q", "--hard", "v1.4.0");
        repo.write("src/a.txt", lines.toString().replace("line 3\n", "line 3 fixed\n").replace("line 35\n", "line 35 otherwise\n"));
        String resolved = repo.commitAll("fix(rounding): half-even\n\nRefs: PAY-117\n\n(cherry picked from commit " + fix + ")",
                "Dev", "dev@example.com");
        assertThat(Git.patchIdStable(repo.dir(), resolved)).isNotEqualTo(Git.patchIdStable(repo.dir(), fix));
        BranchCheck.Result differs = check(repo, "release/1.4");
        assertThat(differs.violations()).isEmpty();
        assertThat(differs.findings()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo("branch.cherry-pick-differs");
            assertThat(f.commit()).contains(resolved);
            assertThat(f.message()).contains("src/a.txt: hunks differ").contains("@@ -32,7 +32,7 @@");
        });

        // a new feature that cites a commit on main: nothing in common with it, a violation
        repo.write("src/feature.txt", "a whole new feature\n");
        String sneaked = repo.commitAll("feat: coupons\n\nRefs: PAY-200\n\n(cherry picked from commit " + fix + ")",
                "Dev", "dev@example.com");
        BranchCheck.Result r = check(repo, "release/1.4");
        assertThat(r.violations()).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo("branch.cherry-pick-unrelated");
            assertThat(v.commit()).contains(sneaked);
            assertThat(v.message()).contains("src/feature.txt");
        });
    }

    /** branch check and next-version judge a hotfix branch alike: the same repositories, the same verdicts. */
    @Test
    void branchCheckAndNextVersionAgreeOnHotfixBranches() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: a");
        repo.tag("v1.4.2");
        repo.commit("feat: unreleased on main");
        repo.git("switch", "-q", "-c", "hotfix/1.5.0-INC-1", "v1.4.2");
        repo.commit("fix: urgent\n\nRefs: INC-1");
        repo.git("switch", "-q", "-c", "hotfix/1.4.3-INC-1");
        repo.git("switch", "-q", "main");
        repo.git("switch", "-q", "-c", "hotfix/1.4.3-INC-2");
        repo.commit("fix: from main\n\nRefs: INC-2");
        TestRepo fresh = TestRepo.init(tmp.resolve("fresh"));
        fresh.commit("feat: a");
        fresh.git("switch", "-q", "-c", "hotfix/0.0.1-INC-3");

        record Case(TestRepo repo, String branch, List<String> rules) {
        }
        for (Case c : List.of(new Case(repo, "hotfix/1.5.0-INC-1", List.of("version.hotfix-patch")),
                new Case(repo, "hotfix/1.4.3-INC-1", List.of()),
                new Case(repo, "hotfix/1.4.3-INC-2", List.of("branch.hotfix-from-production-tag")),
                new Case(fresh, "hotfix/0.0.1-INC-3", List.of("branch.hotfix-from-production-tag")))) {
            c.repo().git("switch", "-q", c.branch());
            BranchCheck.Result check = check(c.repo(), c.branch());
            assertThat(check.violations()).as(c.branch()).extracting(BranchCheck.Violation::rule)
                    .containsExactlyElementsOf(c.rules());
            try (History h = History.open(c.repo().dir())) {
                if (c.rules().isEmpty()) {
                    assertThat(new NextVersion(h).call().version()).isEqualTo("1.4.3");
                } else {
                    assertThatThrownBy(() -> new NextVersion(h).call()).as(c.branch()).isInstanceOf(RefusedException.class)
                            .satisfies(e -> assertThat(((RefusedException) e).refusals()).extracting(Refusal::rule)
                                    .containsExactlyElementsOf(c.rules()));
                }
            }
        }
    }

    @Test
    void aTaggedHotfixStillFollowsTheModel() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: a");
        repo.tag("v1.4.1");
        repo.git("switch", "-q", "-c", "hotfix/1.4.2-INC-1");
        repo.commit("fix: urgent\n\nRefs: INC-1");
        repo.tag("v1.4.2");
        assertThat(check(repo, "hotfix/1.4.2-INC-1").violations()).isEmpty();
        try (History h = History.open(repo.dir())) {
            assertThat(new NextVersion(h).call().version()).as("a re-run finishes that release").isEqualTo("1.4.2");
        }
    }
}
