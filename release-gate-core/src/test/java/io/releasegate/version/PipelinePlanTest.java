package io.releasegate.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.commits.History;
import io.releasegate.error.RefusedException;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.provenance.LibraryRef;
import io.releasegate.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelinePlanTest {

    @TempDir
    Path tmp;

    static PipelinePlan.Result plan(TestRepo repo, String branch, boolean changeRequest, Optional<String> version) {
        try (History h = History.open(repo.dir())) {
            return new PipelinePlan(h).branch(branch).changeRequest(changeRequest).version(version).call();
        }
    }

    @Test
    void productionBranchesTakeTheVersionFromTheCommitsOthersAPreReleaseAndStopAfterTheGates() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: first\n\nRefs: PAY-1");
        PipelinePlan.Result main = plan(repo, "main", false, Optional.empty());
        assertThat(main.toProduction()).isTrue();
        assertThat(main.kind()).isEqualTo("main");
        assertThat(main.version()).isEqualTo("0.1.0");
        assertThat(main.release()).isTrue();

        PipelinePlan.Result feature = plan(repo, "feature/PAY-2-refunds", false, Optional.empty());
        assertThat(feature.toProduction()).isFalse();
        assertThat(feature.version()).isEqualTo("0.1.0-feature-pay-2-refunds.g" + repo.head().substring(0, 8));

        PipelinePlan.Result cr = plan(repo, "PR-7", true, Optional.empty());
        assertThat(cr.kind()).isEqualTo("change-request");
        assertThat(cr.toProduction()).isFalse();
        assertThat(cr.version()).startsWith("0.1.0-pr-7.g");

        assertThat(plan(repo, "main", false, Optional.of("2.0.0")).version()).isEqualTo("2.0.0");
        assertThatThrownBy(() -> plan(repo, "wip-stuff", false, Optional.empty())).isInstanceOf(RefusedException.class)
                .hasMessageContaining("branch.name");
    }

    @Test
    void aReRunOnTheTaggedCommitFinishesThatReleaseAndNothingNewIsNoRelease() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: first\n\nRefs: PAY-1");
        repo.tag("v0.1.0");
        PipelinePlan.Result again = plan(repo, "main", false, Optional.empty());
        assertThat(again.release()).isTrue();
        assertThat(again.version()).isEqualTo("0.1.0");
        assertThat(again.reason()).contains("v0.1.0 is tagged at this commit");
        repo.commit("docs: readme");
        PipelinePlan.Result nothing = plan(repo, "main", false, Optional.empty());
        assertThat(nothing.release()).isFalse();
        assertThat(nothing.toProduction()).isTrue();
    }

    @Test
    void aHotfixIsPatchPlusOneOfTheProductionTagAndCarriesNothingFromMain() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: first\n\nRefs: PAY-1");
        repo.tag("v1.2.0");
        repo.commit("feat: next thing\n\nRefs: PAY-3");
        repo.git("switch", "-q", "-c", "hotfix/1.2.1-INC-4", "v1.2.0");
        repo.commit("fix: the incident\n\nRefs: INC-4");
        PipelinePlan.Result hotfix = plan(repo, "hotfix/1.2.1-INC-4", false, Optional.empty());
        assertThat(hotfix.toProduction()).isTrue();
        assertThat(hotfix.version()).isEqualTo("1.2.1");
        repo.git("switch", "-q", "-c", "hotfix/1.2.2-INC-5", "main");
        assertThatThrownBy(() -> plan(repo, "hotfix/1.2.2-INC-5", false, Optional.empty())).isInstanceOf(RefusedException.class)
                .hasMessageContaining("branch.hotfix-from-production-tag");
    }

    @Test
    void onlyATagOrAFullCommitPinsTheLibraryUnlessThePolicyAllowsAMovingRef() throws Exception {
        assertThat(LibraryRef.pinned("v1.4.0")).isTrue();
        assertThat(LibraryRef.pinned("0123456789abcdef0123456789abcdef01234567")).isTrue();
        assertThat(LibraryRef.pinned("main")).isFalse();
        assertThat(LibraryRef.pinned("v1.4")).isFalse();
        assertThat(LibraryRef.pinned("0123456")).isFalse();
        assertThat(LibraryRef.check(PolicyLoader.load(Optional.empty()), "golden", "main").orElseThrow().rule())
                .isEqualTo("promote.library-unpinned");
        // only the admin's central policy may allow a moving ref; a team policy that does loosens the library's
        Path central = Files.writeString(tmp.resolve("central.yaml"), "library:\n  allowUnpinned: true\n");
        assertThat(LibraryRef.check(PolicyLoader.load(Optional.of(io.releasegate.policy.CentralPolicy.of(central,
                io.releasegate.digest.Digester.of(Files.readAllBytes(central)).toString())), Optional.empty()), "golden", "main")).isEmpty();
        Path team = tmp.resolve("policy.yaml");
        Files.writeString(team, "library:\n  allowUnpinned: true\n");
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(team))).hasMessageContaining("policy.loosened")
                .hasMessageContaining("library.allowUnpinned");
        Files.writeString(team, "library:\n  allowUnpinned: maybe\n");
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(team))).hasMessageContaining("library.allowUnpinned");
    }
}
