package io.releasegate.changelog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.commits.History;
import io.releasegate.error.RefusedException;
import io.releasegate.testing.TestRepo;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangelogTest {

    @TempDir
    Path tmp;

    static Changelog.Result changelog(TestRepo repo, String version, boolean requireTickets) {
        try (History h = History.open(repo.dir())) {
            return new Changelog(h).version(Optional.of(version)).date(LocalDate.of(2026, 11, 22))
                    .requireTickets(requireTickets).call();
        }
    }

    @Test
    void groupsEntriesKeepAChangelogStyleWithPrsTicketsAndBreakingChangesFirst() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: initial\n\nRefs: PAY-1");
        repo.tag("v1.3.0");
        String feat = repo.commit("feat(refunds): partial refunds (#42)\n\nRefs: PAY-9");
        repo.commit("fix(rounding): round half-even\n\nCloses: PAY-117");
        repo.commit("perf: cache currency table\n\nRefs: PAY-120");
        repo.commit("fix(auth): reject expired tokens\n\nSecurity: CVE-2026-0001\nRefs: SEC-4");
        repo.commit("feat(api)!: amounts carry a currency\n\nRefs: PAY-130\nBREAKING CHANGE: send {\"value\", \"currency\"} instead of a number");
        repo.commit("docs: explain refunds\n\nRefs: PAY-9");
        repo.git("switch", "-q", "-c", "feature/x");
        String merged = repo.commit("fix: handle empty basket\n\nRefs: PAY-140");
        repo.git("switch", "-q", "main");
        repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #51 from team/feature-x", "feature/x");

        Changelog.Result r = changelog(repo, "2.0.0", true);
        assertThat(r.from()).contains("v1.3.0");
        assertThat(r.problems()).isEmpty();
        String md = r.markdown();
        assertThat(md).startsWith("## [2.0.0] - 2026-11-22\n");
        assertThat(md.indexOf("### ⚠ Breaking changes")).isLessThan(md.indexOf("### Added"));
        assertThat(md).contains("- **api:** send {\"value\", \"currency\"} instead of a number (PAY-130, ");
        assertThat(md).contains("- **refunds:** partial refunds (#42, PAY-9, " + feat.substring(0, 7) + ")");
        assertThat(md).contains("### Fixed\n");
        assertThat(md).contains("- **rounding:** round half-even (PAY-117, ");
        assertThat(md).contains("- handle empty basket (#51, PAY-140, " + merged.substring(0, 7) + ")");
        assertThat(md).contains("### Changed\n\n- cache currency table (PAY-120, ");
        assertThat(md).contains("### Security\n\n- **auth:** reject expired tokens (SEC-4, ");
        assertThat(md).doesNotContain("explain refunds").doesNotContain("Merge pull request");
        assertThat(Changelog.SECTIONS.stream().filter(s -> md.contains("### " + s + "\n")).toList())
                .containsExactly("Added", "Changed", "Fixed", "Security");
    }

    @Test
    void backportsCherryPickedWithXAreMarkedWithTheOriginalCommit() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: base\n\nRefs: PAY-1");
        repo.tag("v1.4.0");
        repo.git("branch", "release/1.4");
        String onMain = repo.commit("fix(rounding): round half-even\n\nRefs: PAY-117");
        repo.git("switch", "-q", "release/1.4");
        repo.git("cherry-pick", "-x", onMain);
        Changelog.Result r = changelog(repo, "1.4.1", true);
        assertThat(r.entries()).singleElement().satisfies(e -> assertThat(e.backportOf()).contains(onMain));
        assertThat(r.markdown()).contains("— backport of " + onMain.substring(0, 7));
    }

    @Test
    void aCommitWithoutATicketRefusesTheReleaseUnlessTheRuleIsOff() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: base\n\nRefs: PAY-1");
        repo.tag("v1.0.0");
        String bare = repo.commit("fix: quick fix without a ticket");
        repo.commit("not conventional at all");
        assertThatThrownBy(() -> changelog(repo, "1.0.1", true)).isInstanceOf(RefusedException.class)
                .hasMessageContaining("changelog.ticket-required")
                .hasMessageContaining(bare.substring(0, 7))
                .hasMessageContaining("Refs: TICKET-123");
        Changelog.Result relaxed = changelog(repo, "1.0.1", false);
        assertThat(relaxed.problems()).extracting(Changelog.Problem::reason)
                .containsExactlyInAnyOrder("not a Conventional Commit", "no ticket reference (add a footer such as 'Refs: PAY-123')",
                        "no ticket reference (add a footer such as 'Refs: PAY-123')");
        assertThat(relaxed.markdown()).contains("- quick fix without a ticket (" + bare.substring(0, 7) + ")");
    }
}
