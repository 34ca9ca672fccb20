package io.releasegate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.gates.Finding;
import io.releasegate.gates.PolicyException;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.TestLedgers;
import io.releasegate.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An insider who can write the repository, the workspace and files anywhere tries to loosen the policy that
 * governs production: a team policy that widens the library's windows or drops its freezes, role sources,
 * licenses, emergency rules or library pin; a policy file that was never committed; a central policy whose
 * file was swapped; an alias bomb. Each is refused with its rule and nothing is recorded.
 */
class PolicyBypassTest {

    static final Clock MONDAY = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    static final String MEMBERS = "approvals:\n  members:\n    maintainer:\n      people: [mia]\n"
            + "    domain-reviewer:\n      people: [dora]\n";

    @TempDir
    Path tmp;

    Path file(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.createDirectories(f.getParent());
        return Files.writeString(f, text);
    }

    /** The refusal of a team policy over {@code central} (empty: the library's alone). */
    Refusal loosened(Optional<CentralPolicy> central, String yaml, String field) throws Exception {
        Path team = file("team/policy.yaml", yaml);
        Throwable thrown = catchThrowable(() -> PolicyLoader.load(central, Optional.of(team)));
        assertThat(thrown).as(yaml).isInstanceOf(RefusedException.class);
        List<Refusal> refusals = ((RefusedException) thrown).refusals();
        assertThat(refusals).extracting(Refusal::rule).as(yaml).containsOnly("policy.loosened");
        return refusals.stream().filter(r -> r.evidence().contains(field)).findFirst()
                .orElseThrow(() -> new AssertionError("no refusal names " + field + ": " + refusals));
    }

    Refusal loosened(String yaml, String field) throws Exception {
        return loosened(Optional.empty(), yaml, field);
    }

    CentralPolicy central(String yaml) throws Exception {
        Path f = file("admin/central.yaml", yaml);
        return CentralPolicy.of(f, Digester.of(Files.readAllBytes(f)).toString());
    }

    // ------------------------------------------------------------------------------ tightening only

    @Test
    void windowsWidenedTo24x7AreRefusedNamingBothValues() throws Exception {
        Refusal r = loosened("windows:\n  weekly:\n    - days: [MON, TUE, WED, THU, FRI, SAT, SUN]\n      from: \"00:00\"\n"
                + "      to: \"23:59\"\n", "windows.weekly");
        assertThat(r.evidence()).contains("team/policy.yaml:").contains("FRI").contains("09:00-16:00").contains("00:00-23:59");
        // one hour more on a library day is a loosening too
        loosened("windows:\n  weekly:\n    - days: [MON]\n      from: \"08:00\"\n      to: \"12:00\"\n", "windows.weekly");
    }

    @Test
    void aTimeZoneThatShiftsTheWindowsOutOfTheLibrarysIsALoosening() throws Exception {
        // 09:00-16:00 in Tokyo is 00:00-07:00 UTC: outside the library's 09:00-16:00 UTC
        Refusal r = loosened("windows:\n  timezone: Asia/Tokyo\n", "windows");
        assertThat(r.evidence()).contains("Asia/Tokyo").contains("UTC");
        // the same hours named in another zone that keeps them inside are a tightening
        Policy inside = PolicyLoader.load(Optional.of(file("inside.yaml",
                "windows:\n  timezone: Europe/London\n  weekly:\n    - days: [TUE, WED]\n      from: \"10:00\"\n      to: \"14:00\"\n")));
        assertThat(inside.windows().timezone()).isEqualTo("Europe/London");
    }

    @Test
    void blackoutsAndFreezesOfTheBaselineCannotBeDropped() throws Exception {
        CentralPolicy admin = central("windows:\n  blackouts: [\"2026-12-24\"]\n  freezes:\n    - name: year-end\n"
                + "      from: 2026-12-20\n      to: 2027-01-03\n      scope: [production]\n      exitCriteria: incidents closed\n");
        Refusal blackouts = loosened(Optional.of(admin), "windows:\n  blackouts: []\n", "windows.blackouts");
        assertThat(blackouts.evidence()).contains("2026-12-24");
        Refusal freezes = loosened(Optional.of(admin), "windows:\n  freezes:\n    - name: year-end\n      from: 2026-12-27\n"
                + "      to: 2027-01-03\n      scope: [production]\n      exitCriteria: incidents closed\n", "windows.freezes");
        assertThat(freezes.evidence()).contains("year-end").contains("2026-12-20").contains("2026-12-27");
        // more blackouts and a longer freeze over every environment are fine
        Policy tighter = PolicyLoader.load(Optional.of(admin), Optional.of(file("tighter.yaml", "windows:\n"
                + "  blackouts: [\"2026-12-24\", \"2026-12-31\"]\n  freezes:\n    - name: long\n      from: 2026-12-01\n"
                + "      to: 2027-01-31\n      exitCriteria: done\n")));
        assertThat(tighter.windows().blackouts()).hasSize(2);
    }

    @Test
    void roleSourcesTheBaselineNamesCanOnlyBeNarrowed() throws Exception {
        CentralPolicy admin = central("approvals:\n  members:\n    maintainer:\n      people: [mia, max]\n");
        Refusal people = loosened(Optional.of(admin), "approvals:\n  members:\n    maintainer:\n      people: [mia, eve]\n",
                "approvals.members.maintainer.people");
        assertThat(people.evidence()).contains("eve").contains("[mia, max]");
        Refusal structure = loosened("approvals:\n  members:\n    maintainer:\n      structureFile: docs/my-friends.md\n",
                "approvals.members.maintainer.structureFile");
        assertThat(structure.evidence()).contains("meta/STRUCTURE.md").contains("docs/my-friends.md");
        // a narrower list is a tightening; where the baseline names nobody, the team does
        assertThat(PolicyLoader.load(Optional.of(admin), Optional.of(file("narrow.yaml",
                "approvals:\n  members:\n    maintainer:\n      people: [mia]\n"))).approvals().members().get("maintainer").people())
                .containsExactly("mia");
        assertThat(PolicyLoader.load(Optional.of(file("fill.yaml", MEMBERS))).approvals().members().get("domain-reviewer").people())
                .containsExactly("dora");
    }

    @Test
    void evidenceLicensesEmergencyRulesAndTheLibraryPinCannotBeLoosened() throws Exception {
        assertThat(loosened("gates:\n  licenses:\n    denied: [SSPL-1.0]\n", "gates.licenses.denied").evidence())
                .contains("AGPL-3.0-only");
        assertThat(loosened("emergency:\n  requires: [reason, approver]\n", "emergency.requires").evidence())
                .contains("rollbackPlan");
        assertThat(loosened("emergency:\n  reviewWithinDays: 30\n", "emergency.reviewWithinDays").evidence())
                .contains("5").contains("30");
        assertThat(loosened("library:\n  allowUnpinned: true\n", "library.allowUnpinned").evidence())
                .contains("false").contains("true");
        loosened("environments:\n  - name: dev\n    requires: [built]\n  - name: production\n"
                + "    requires: [built, signatures, sbom, provenance, gates, approvals, window]\n  - name: staging\n"
                + "    requires: [built, signatures, sbom, provenance, gates]\n", "environments");
        loosened("approvals:\n  count: 1\n", "approvals.count");
        loosened("gates:\n  blockAt: critical\n", "gates.blockAt");
        // every loosening of one file is reported at once
        Path many = file("many.yaml", "approvals:\n  count: 1\nlibrary:\n  allowUnpinned: true\n");
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(many))).isInstanceOf(RefusedException.class)
                .satisfies(e -> assertThat(((RefusedException) e).refusals()).hasSize(2));
    }

    @Test
    void aTeamPolicyMayAddFlagPatternsButNeverDropOneOfTheBaselines() throws Exception {
        String baseline = String.join("", Policy.Scope.FLAG_PATTERN.stream().map(p -> "    - '" + p.replace("'", "''") + "'\n").toList());
        Path more = file("more.yaml", "scope:\n  flagPattern:\n" + baseline + "    - 'Flags\\.on\\(\\s*\"([a-z-]+)\"'\n");
        assertThat(PolicyLoader.load(Optional.of(more)).scope().flagPattern()).hasSize(3).containsAll(Policy.Scope.FLAG_PATTERN);
        Refusal dropped = loosened("scope:\n  flagPattern: ['Flags\\.on\\(\"([a-z-]+)\"']\n", "scope.flagPattern");
        assertThat(dropped.evidence()).contains("isEnabled");
        // the admin's extra pattern is the baseline too
        CentralPolicy admin = central("scope:\n  flagPattern:\n" + baseline + "    - 'toggle\\(\"([a-z-]+)\"\\)'\n");
        loosened(Optional.of(admin), "scope:\n  flagPattern:\n" + baseline, "scope.flagPattern");
        // a pattern that does not compile, or does not capture exactly the name, is an input error naming the line
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(file("bad.yaml", "scope:\n  flagPattern:\n" + baseline
                + "    - 'on\\(('\n")))).isInstanceOf(InputException.class).hasMessageContaining("bad.yaml:3")
                .hasMessageContaining("not a regular expression");
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(file("two.yaml", "scope:\n  flagPattern:\n" + baseline
                + "    - '(a)(b)'\n")))).isInstanceOf(InputException.class).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(file("reg.yaml", "scope:\n  flagRegistry: ../flags.yaml\n"))))
                .isInstanceOf(InputException.class).hasMessageContaining("scope.flagRegistry");
        // the library's pattern list equals the default policy file's, and the defaults stay out of the canonical form
        assertThat(PolicyLoader.defaults().scope()).isEqualTo(Policy.Scope.DEFAULT);
        assertThat(PolicyLoader.defaults().canonicalJson()).doesNotContain("flagPattern").doesNotContain("flagRegistry");
        Path moved = file("moved.yaml", "scope:\n  flagRegistry: .release/flags.yaml\n");
        assertThat(PolicyLoader.load(Optional.of(moved)).canonicalJson()).contains("\"flagRegistry\":\".release/flags.yaml\"")
                .doesNotContain("codeownersCover").doesNotContain("flagPattern");
        Path cover = file("cover.yaml", "scope:\n  codeownersCover: ['**', 'deploy/**']\n");
        assertThat(PolicyLoader.load(Optional.of(cover)).canonicalJson()).contains("codeownersCover").doesNotContain("flagPattern").doesNotContain("flagRegistry");
    }

    @Test
    void theAdminsCentralPolicyIsTheBaselineButOnlyWithThePinnedBytes() throws Exception {
        CentralPolicy admin = central("windows:\n  weekly:\n    - days: [MON, TUE, WED, THU, FRI, SAT, SUN]\n"
                + "      from: \"00:00\"\n      to: \"23:59\"\n");
        assertThat(PolicyLoader.load(Optional.of(admin), Optional.empty()).windows().weekly().get(0).days()).hasSize(7);
        Files.writeString(admin.file(), "windows:\n  weekly: []\n");
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(admin), Optional.empty())).isInstanceOf(RefusedException.class)
                .satisfies(e -> assertThat(((RefusedException) e).refusals().get(0).rule()).isEqualTo("policy.central-pin"))
                .hasMessageContaining(admin.pin());
        assertThatThrownBy(() -> CentralPolicy.fromEnvironment(java.util.Map.of(CentralPolicy.ENV, admin.file().toString())))
                .isInstanceOf(InputException.class).hasMessageContaining(CentralPolicy.ENV_DIGEST);
    }

    @Test
    void aTeamPolicyCannotDeclareNotApplicableAGateTheCentralPolicySaysAlwaysNeedsItsReport() throws Exception {
        CentralPolicy admin = central("gates:\n  neverNotApplicable: [sast, license]\n");
        Refusal r = loosened(Optional.of(admin), MEMBERS + "gates:\n  notApplicable:\n    sast: no code of ours\n"
                + "    dast: batch job\n", "gates.notApplicable.sast");
        assertThat(r.evidence()).contains("team/policy.yaml:9").contains("[sast, license]").contains("no code of ours");
        assertThat(r.remedy()).contains("central policy");
        // nor drop the list, or a gate from it
        loosened(Optional.of(admin), MEMBERS + "gates:\n  neverNotApplicable: [license]\n", "gates.neverNotApplicable");
        loosened(Optional.of(admin), MEMBERS + "gates:\n  neverNotApplicable: []\n", "gates.neverNotApplicable");
        // any other gate is the team's to declare, in its committed policy, with a rationale; it may add to the list
        Policy ok = PolicyLoader.load(Optional.of(admin), Optional.of(file("team/ok.yaml", MEMBERS
                + "gates:\n  neverNotApplicable: [sast, license, unit]\n  notApplicable:\n    dast: batch job\n")));
        assertThat(ok.gates().notApplicable()).containsOnlyKeys("dast");
        assertThat(ok.gates().neverNotApplicable()).containsExactlyInAnyOrder("sast", "license", "unit");
        // without a central policy the library's list is empty: a committed declaration of any gate is the team's
        assertThat(PolicyLoader.load(Optional.of(file("team/sast.yaml", "gates:\n  notApplicable:\n    sast: configuration only\n")))
                .gates().notApplicable("sast")).contains("configuration only");
    }

    // ------------------------------------------------------------------------------ the digest

    @Test
    void theEffectivePolicyIsIdentifiedByItsDigest() throws Exception {
        Policy a = PolicyLoader.load(Optional.of(file("a.yaml", "approvals:\n  members:\n    maintainer:\n      people: [mia, max]\n"
                + "windows:\n  blackouts: [\"2026-12-24\", \"2026-12-31\"]\n")));
        Policy b = PolicyLoader.load(Optional.of(file("b.yaml", "windows:\n  blackouts: [\"2026-12-31\", \"2026-12-24\"]\n"
                + "approvals:\n  members:\n    maintainer:\n      people: [max, mia]\n")));
        Policy c = PolicyLoader.load(Optional.of(file("c.yaml", "approvals:\n  members:\n    maintainer:\n      people: [mia]\n")));
        assertThat(a.digest().toString()).startsWith("sha256:").hasSize(71);
        assertThat(a.digest()).isEqualTo(b.digest()).isNotEqualTo(c.digest()).isNotEqualTo(PolicyLoader.defaults().digest());
        assertThat(PolicyLoader.defaults().digest()).isEqualTo(PolicyLoader.defaults().digest());
        assertThat(Digester.of(a.canonicalJson().getBytes(StandardCharsets.UTF_8))).isEqualTo(a.digest());
        assertThat(a.canonicalJson()).doesNotContain("a.yaml");
    }

    // ------------------------------------------------------------------------------ committed policy

    record Release(TestRepo repo, Ledger ledger, BuildResult built, String commit) implements AutoCloseable {
        @Override
        public void close() {
            ledger.close();
        }
    }

    Release release() throws Exception {
        TestRepo repo = TestRepo.init(tmp.resolve("repo"));
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), MEMBERS);
        String commit = repo.commitAs("feat: refunds", "Alice Author", "alice@example.com");
        OciLayoutStore store = OciLayoutStore.open(tmp.resolve("state/store"));
        Ledger ledger = TestLedgers.embedded(tmp.resolve("state"));
        BuildResult built = new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(repo.dir())
                .outputs(List.of("*.txt")).actor("ci").clock(MONDAY).call();
        return new Release(repo, ledger, built, commit);
    }

    PolicyResolver resolver(Release r, String environment) {
        return new PolicyResolver(r.repo().dir()).builtCommit(Optional.of(r.commit())).environment(environment);
    }

    @Test
    void productionUsesThePolicyCommittedAtTheBuiltCommitNeverAnotherFile() throws Exception {
        try (Release r = release()) {
            Policy committed = PolicyLoader.committed(r.repo().dir(), r.commit(), Optional.empty());
            assertThat(committed.source().commit()).contains(r.commit());
            assertThat(committed.approvals().members().get("maintainer").people()).containsExactly("mia");

            // --policy FILE from anywhere, naming invented role members
            Path invented = file("elsewhere/policy.yaml", "approvals:\n  members:\n    maintainer:\n      people: [eve]\n"
                    + "    domain-reviewer:\n      people: [mallory]\n");
            int events = r.ledger().events().size();
            Throwable thrown = catchThrowable(() -> resolver(r, "production").explicit(Optional.of(invented)).call());
            assertThat(thrown).isInstanceOf(RefusedException.class);
            Refusal refusal = ((RefusedException) thrown).refusals().get(0);
            assertThat(refusal.rule()).isEqualTo("policy.not-committed");
            assertThat(refusal.evidence()).contains(invented.toString()).contains(r.commit()).contains(committed.digest().toString());
            assertThat(r.ledger().events()).hasSize(events);

            // the same content as committed is no loosening: accepted, and it is the committed policy that is used
            Path copy = file("copy/policy.yaml", MEMBERS);
            Policy same = resolver(r, "production").explicit(Optional.of(copy)).call();
            assertThat(same.digest()).isEqualTo(committed.digest());
            assertThat(same.source().commit()).contains(r.commit());

            // the working tree edited after the build: production still uses the committed policy
            Files.writeString(r.repo().dir().resolve(".release/policy.yaml"), "approvals:\n  members:\n    maintainer:\n"
                    + "      people: [eve]\n    domain-reviewer:\n      people: [mallory]\n");
            Policy used = resolver(r, "production").call();
            assertThat(used.digest()).isEqualTo(committed.digest());
            Throwable approval = catchThrowable(() -> new ApproveProduction(used, r.ledger(), RoleDirectory.resolve(used, r.repo().dir()))
                    .release("payments", "1.0.0").digest(r.built().digest()).approver("eve").role("maintainer")
                    .rationale("trust me").authors(Set.of("Alice Author")).clock(MONDAY).call());
            assertThat(approval).isInstanceOf(RefusedException.class);
            assertThat(((RefusedException) approval).refusals()).extracting(Refusal::rule).contains("approval.not-in-role");
            assertThat(r.ledger().events()).hasSize(events);

            // dev and staging take the file: a dry run of a policy change
            assertThat(resolver(r, "staging").explicit(Optional.of(invented)).call().approvals().members().get("maintainer").people())
                    .containsExactly("eve");
            assertThat(resolver(r, "dev").call().approvals().members().get("maintainer").people()).containsExactly("eve");
        }
    }

    @Test
    void anEnvironmentAddedAfterProductionIsGovernedLikeProduction() throws Exception {
        try (Release r = release()) {
            Path extra = file("extra/policy.yaml", MEMBERS + "environments:\n  - name: dev\n    requires: [built]\n"
                    + "  - name: staging\n    requires: [built, signatures, sbom, provenance, gates]\n  - name: production\n"
                    + "    requires: [built, signatures, sbom, provenance, gates, approvals, window]\n  - name: dr\n"
                    + "    requires: [built]\n");
            assertThatThrownBy(() -> resolver(r, "dr").explicit(Optional.of(extra)).call()).isInstanceOf(RefusedException.class)
                    .hasMessageContaining("policy.not-committed");
            assertThatThrownBy(() -> resolver(r, "nowhere").explicit(Optional.of(extra)).call())
                    .hasMessageContaining("policy.not-committed");
        }
    }

    @Test
    void aReleaseBuiltOutsideGitHasNoCommittedPolicyForProductionUnlessTheAdminPinsOne() throws Exception {
        Path workspace = Files.createDirectories(tmp.resolve("plain"));
        assertThatThrownBy(() -> new PolicyResolver(workspace).builtCommit(Optional.empty()).environment("production").call())
                .isInstanceOf(RefusedException.class).hasMessageContaining("policy.not-committed");
        CentralPolicy admin = central(MEMBERS);
        Policy p = new PolicyResolver(workspace).builtCommit(Optional.empty()).environment("production")
                .central(Optional.of(admin)).call();
        assertThat(p.source().central()).isTrue();
        assertThat(p.approvals().members().get("maintainer").people()).containsExactly("mia");
    }

    @Test
    void aCommitMissingFromTheRepositoryIsAnInputError() throws Exception {
        try (Release r = release()) {
            assertThatThrownBy(() -> new PolicyResolver(r.repo().dir()).builtCommit(Optional.of("0".repeat(40)))
                    .environment("production").call()).isInstanceOf(InputException.class).hasMessageContaining("0".repeat(40));
        }
    }

    // ------------------------------------------------------------------------------ hostile files

    @Test
    void anAliasBombIsAnInputErrorNamingTheFile() throws Exception {
        StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            String p = String.valueOf((char) (c - 1));
            bomb.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*").append(p)
                    .append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*")
                    .append(p).append(",*").append(p).append("]\n");
        }
        Path policy = file("bomb/policy.yaml", bomb.toString());
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(policy))).isInstanceOf(InputException.class)
                .hasMessageContaining(policy.toString());
        Path exception = file("bomb/EXC-1.yaml", bomb.toString().replace("a: &a", "id: EXC-1\nrisk: &a"));
        assertThatThrownBy(() -> PolicyException.load(exception)).isInstanceOf(InputException.class)
                .hasMessageContaining(exception.toString());
    }

    @Test
    void anExceptionMissingRequiredFieldsSaysWhichAndItsApproversAreMatchedLikeApprovals() throws Exception {
        PolicyException partial = PolicyException.load(file("ex/EXC-2.yaml", "id: EXC-2\ntype: temporary\nowner: team\n"));
        assertThat(partial.missing()).contains("author", "policyRef", "scope.findings", "risk", "compensatingControls", "approvers",
                "reviewDate", "rollback", "evidence", "expires (a temporary exception must expire)");
        // the author approving under another form of the same identity is still the author
        PolicyException self = PolicyException.load(file("ex/EXC-3.yaml", """
                id: EXC-3
                owner: payments
                author: alice@example.com
                type: permanent
                policyRef: SEC-1
                scope: {findings: [CVE-1]}
                risk: low
                compensatingControls: [waf]
                approvers: ["@Alice"]
                reviewDate: 2099-01-01
                rollback: revert
                evidence: [https://example.test/1]
                """));
        assertThat(self.missing()).isEmpty();
        Finding cve = new Finding("CVE-1", "dependency", Finding.Severity.HIGH, "", Optional.empty(), Optional.empty());
        assertThat(self.whyNot(cve, "", "main", "production", LocalDate.of(2026, 11, 23))).hasValueSatisfying(
                why -> assertThat(why).contains("approved only by its author"));
    }
}
