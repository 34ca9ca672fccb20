package io.releasegate.commits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.testing.Git;
import io.releasegate.testing.TestRepo;
import io.releasegate.version.NextVersion;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForwardPortTest {

    @TempDir
    Path tmp;

    static Clock inDays(int days) {
        return Clock.fixed(Instant.now().plus(Duration.ofDays(days)), ZoneOffset.UTC);
    }

    static ForwardPort.Result check(TestRepo repo, Clock clock) {
        try (History h = History.open(repo.dir())) {
            return new ForwardPort(h).clock(clock).call();
        }
    }

    /** main with v1.4.1 and a feature since; hotfix v1.4.2 cut from v1.4.1 with two fixes; returns the fixes. */
    static String[] hotfixed(TestRepo repo) {
        repo.commit("feat: a\n\nRefs: PAY-1");
        repo.tag("v1.4.1");
        repo.commit("feat: next feature on main\n\nRefs: PAY-2");
        repo.git("switch", "-q", "-c", "hotfix/1.4.2-INC-1", "v1.4.1");
        String first = repo.commit("fix: stop double charge\n\nRefs: INC-1");
        String second = repo.commit("fix: and the refund\n\nRefs: INC-1");
        repo.tag("v1.4.2");
        repo.git("switch", "-q", "main");
        return new String[] {first, second};
    }

    @Test
    void aHotfixCommitMissingFromMainIsListedThenOverdue() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        String[] fixes = hotfixed(repo);
        ForwardPort.Result fresh = check(repo, inDays(1));
        assertThat(fresh.hotfixes()).singleElement().satisfies(h -> {
            assertThat(h.tag()).isEqualTo("v1.4.2");
            assertThat(h.base()).isEqualTo("v1.4.1");
            assertThat(h.targets()).containsExactly("main");
        });
        assertThat(fresh.missing()).extracting(ForwardPort.Missing::commit).containsExactlyInAnyOrder(fixes);
        assertThat(fresh.overdue()).as("within branches.forwardPortDays").isEmpty();
        assertThat(check(repo, inDays(6)).overdue()).extracting(ForwardPort.Missing::commit).containsExactlyInAnyOrder(fixes);
        try (History h = History.open(repo.dir())) {
            assertThat(new ForwardPort(h).days(10).clock(inDays(6)).call().overdue()).isEmpty();
            assertThat(new ForwardPort(h).since(Optional.of(3)).clock(inDays(6)).call().hotfixes()).as("--since 3").isEmpty();
        }
    }

    @Test
    void aCherryPickWithXAMergeOrTheSamePatchBringsAHotfixCommitToATarget() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        String[] fixes = hotfixed(repo);
        repo.git("switch", "-q", "-c", "release/1.5");
        repo.git("switch", "-q", "main");
        repo.git("cherry-pick", "-x", fixes[0]);
        String picked = repo.head();
        assertThat(Git.patchIdStable(repo.dir(), picked)).isEqualTo(Git.patchIdStable(repo.dir(), fixes[0]));
        // a commit that claims to be a pick of the second fix but makes another change does not bring it
        repo.commit("fix: something else\n\n(cherry picked from commit " + fixes[1] + ")");
        repo.git("switch", "-q", "release/1.5");
        repo.git("cherry-pick", fixes[1]); // without -x: found by its patch id
        String samePatch = repo.head();
        repo.git("cherry-pick", "-x", fixes[0]);

        ForwardPort.Result r = check(repo, inDays(6));
        ForwardPort.Hotfix h = r.hotfixes().get(0);
        assertThat(h.targets()).containsExactly("main", "release/1.5");
        assertThat(r.overdue()).singleElement().satisfies(m -> {
            assertThat(m.commit()).isEqualTo(fixes[1]);
            assertThat(m.target()).isEqualTo("main");
            assertThat(m.refusal().rule()).isEqualTo("release.missing-hotfix");
            assertThat(m.refusal().evidence()).contains(fixes[1].substring(0, 7)).contains("v1.4.2");
            assertThat(m.refusal().remedy()).contains("git cherry-pick -x " + fixes[1]);
        });
        assertThat(h.present()).anySatisfy(p -> {
            assertThat(p.commit()).isEqualTo(fixes[0]);
            assertThat(p.target()).isEqualTo("main");
            assertThat(p.how()).isEqualTo(ForwardPort.How.CHERRY_PICK);
            assertThat(p.via()).isEqualTo(picked);
        }).anySatisfy(p -> {
            assertThat(p.commit()).isEqualTo(fixes[1]);
            assertThat(p.target()).isEqualTo("release/1.5");
            assertThat(p.how()).isEqualTo(ForwardPort.How.PATCH_ID);
            assertThat(p.via()).isEqualTo(samePatch);
        });

        repo.git("switch", "-q", "main");
        repo.git("merge", "-q", "--no-ff", "-m", "Merge hotfix v1.4.2", "v1.4.2");
        assertThat(check(repo, inDays(6)).missing()).isEmpty();
    }

    @Test
    void theNextReleaseFromMainIsRefusedWhileAHotfixItShouldContainIsOverdue() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        String[] fixes = hotfixed(repo);
        try (History h = History.open(repo.dir())) {
            assertThat(new NextVersion(h).clock(inDays(1)).call().version()).as("not yet overdue").isEqualTo("1.5.0");
            assertThatThrownBy(() -> new NextVersion(h).clock(inDays(6)).call()).isInstanceOf(RefusedException.class)
                    .satisfies(e -> assertThat(((RefusedException) e).refusals()).hasSize(2).allSatisfy(f -> {
                        assertThat(f.rule()).isEqualTo("release.missing-hotfix");
                        assertThat(f.evidence()).contains("v1.4.2").contains("main");
                    }).extracting(Refusal::evidence).anySatisfy(ev -> assertThat(ev).contains(fixes[0].substring(0, 7))));
            assertThat(new NextVersion(h).forwardPortDays(10).clock(inDays(6)).call().version()).isEqualTo("1.5.0");
        }
        repo.git("cherry-pick", "-x", fixes[0]);
        repo.git("cherry-pick", "-x", fixes[1]);
        try (History h = History.open(repo.dir())) {
            assertThat(new NextVersion(h).clock(inDays(6)).call().version()).isEqualTo("1.5.0");
        }
    }

    @Test
    void aFixJustifiedAsReleaseBranchOnlyIsNotRequiredOnMain() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        String[] fixes = hotfixed(repo);
        repo.git("cherry-pick", "-x", fixes[0]);
        repo.write(ReleaseFixJustifications.FILE, "fixes:\n  - commit: " + fixes[1] + "\n    branch: release/1.4\n"
                + "    reason: the 1.4 refund table only\n    ticket: INC-1\n    author: dev@example.com\n"
                + "    approvers: [lead@example.com]\n");
        repo.commitAll("docs: the refund fix is 1.4 only\n\nRefs: INC-1", "Lead", "lead@example.com");
        ForwardPort.Result r = check(repo, inDays(6));
        assertThat(r.missing()).isEmpty();
        assertThat(r.hotfixes().get(0).exempt()).containsExactly(fixes[1]);
    }
}
