package io.releasegate.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.gates.Finding;
import io.releasegate.policy.Policy;
import io.releasegate.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flags check on real repositories (git CLI), bypasses first: it reads the commit, never the working tree. */
class FlagScanTest {

    static final Clock DEC_7 = Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    TestRepo repo;

    @BeforeEach
    void init() throws Exception {
        repo = TestRepo.init(tmp.resolve("repo"));
        write("README.md", "# app\n");
        commit("chore: start");
        repo.tag("v1.0.0");
    }

    void write(String path, String text) throws Exception {
        repo.write(path, text);
    }

    String commit(String message) {
        return commitAs(message, "Dev", "dev@example.com");
    }

    String commitAs(String message, String name, String email) {
        repo.git("add", "-A");
        repo.git("-c", "user.name=" + name, "-c", "user.email=" + email, "commit", "-q", "-m", message);
        return repo.head();
    }

    static String flag(String name, String owner, String state, String removal, String... deviation) {
        StringBuilder b = new StringBuilder("  - name: " + name + "\n");
        if (owner != null) {
            b.append("    owner: ").append(owner).append('\n');
        }
        b.append("    escalation: oncall@example.com\n    created: 2026-01-05\n    state: ").append(state).append('\n');
        if (removal != null) {
            b.append("    removal: ").append(removal).append('\n');
        }
        if (deviation.length == 2) {
            b.append("    deviations:\n      - rationale: ").append(deviation[0]).append("\n        newRemoval: ").append(deviation[1])
                    .append('\n');
        }
        return b.toString();
    }

    static String registry(String... flags) {
        return "flags:\n" + String.join("", flags);
    }

    FlagScan.Result scan(Optional<String> range) {
        return scan(range, Policy.Scope.DEFAULT);
    }

    FlagScan.Result scan(Optional<String> range, Policy.Scope scope) {
        try (History h = History.open(repo.dir())) {
            return new FlagScan(h.repository()).range(ReleaseRange.resolve(h, range)).policy(scope).clock(DEC_7).call();
        }
    }

    FlagScan.Result scan() {
        return scan(Optional.empty());
    }

    static List<String> ids(FlagScan.Result r) {
        return r.problems().stream().map(FlagScan.Problem::id).toList();
    }

    @Test
    void aCleanRegistryInTheWorkingTreeDoesNotHideTheOverdueFlagTheCommitHas() throws Exception {
        write("flags/registry.yaml", registry(flag("new-checkout", "team-payments", "ramping", "2026-11-30")));
        write("src/Checkout.java", "if (flags.isEnabled(\"new-checkout\")) { run(); }\n");
        commit("feat: new checkout behind a flag");
        // the working tree says the flag was removed and the reference is gone: neither is committed
        write("flags/registry.yaml", registry(flag("new-checkout", "team-payments", "removed", null)));
        write("src/Checkout.java", "run();\n");
        FlagScan.Result r = scan();
        assertThat(ids(r)).containsExactly("flags.overdue:new-checkout");
        assertThat(r.ok(Finding.Severity.HIGH)).isFalse();
        assertThat(r.overdue()).extracting(FlagRegistry.Flag::name).containsExactly("new-checkout");
        assertThat(r.problems().get(0).message()).contains("2026-11-30");
        assertThat(r.references()).singleElement().satisfies(ref -> assertThat(ref.location()).isEqualTo("src/Checkout.java:1"));
    }

    @Test
    void aRecordedDeviationMovesTheRemovalDateAndOnlyItsNewDateCounts() throws Exception {
        write("flags/registry.yaml", registry(
                flag("new-checkout", "team-payments", "ramping", "2026-11-30", "waiting for the Q1 migration", "2027-03-01"),
                flag("old-banner", "team-web", "full", "2026-10-01", "one more campaign", "2026-12-01"),
                flag("today", "team-web", "full", "2026-12-07")));
        commit("chore: flags");
        FlagScan.Result r = scan();
        // the deviation moved new-checkout past today; old-banner's deviation date has passed too; due today is not overdue
        assertThat(ids(r)).containsExactly("flags.overdue:old-banner");
        assertThat(r.problems().get(0).message()).contains("2026-12-01").contains("last recorded deviation");
    }

    @Test
    void aFlagWithoutAnOwnerIsAFindingAndAMissingEscalationIsBadInput() throws Exception {
        write("flags/registry.yaml", registry(flag("dark-mode", null, "default-off", "2027-06-30"),
                flag("beta", "''", "default-off", "2027-06-30")));
        commit("chore: flags");
        assertThat(ids(scan())).containsExactlyInAnyOrder("flags.no-owner:dark-mode", "flags.no-owner:beta");
        write("flags/registry.yaml", registry(flag("dark-mode", "team-web", "default-off", "2027-06-30"))
                .replace("    escalation: oncall@example.com\n", ""));
        commit("chore: no escalation");
        assertThatThrownBy(this::scan).isInstanceOf(InputException.class).hasMessageContaining("flags/registry.yaml@")
                .hasMessageContaining("missing escalation");
    }

    @Test
    void aFlagReferencedInCodeButNotRegisteredIsAFindingNamingWhere() throws Exception {
        write("flags/registry.yaml", registry(flag("new-checkout", "team-payments", "ramping", "2027-01-15"),
                flag("old-search", "team-search", "removed", null)));
        write("src/App.java", String.join("\n", "class App {", "  void a() { if (ff.isEnabled(\"new-checkout\")) {} }",
                "  void b() { if (ff.isEnabled( \"ghost-flag\", user)) {} }", "  void c() { if (flag('ghost-flag')) {} }",
                "  void d() { if (ff.isEnabled(\"old-search\")) {} }", "  void e() { if (feature_flag(\"not-matched\")) {} }", "}", ""));
        write("web/app.js", "if (flag(\"ghost-flag\")) { show(); }\n");
        commit("feat: flags in code");
        FlagScan.Result r = scan();
        assertThat(ids(r)).containsExactlyInAnyOrder("flags.unregistered:ghost-flag", "flags.removed-referenced:old-search");
        FlagScan.Problem ghost = r.problems().stream().filter(p -> p.flag().equals("ghost-flag")).findFirst().orElseThrow();
        assertThat(ghost.severity()).isEqualTo(Finding.Severity.HIGH);
        assertThat(ghost.message()).contains("src/App.java:3", "src/App.java:4", "web/app.js:1");
        assertThat(ghost.location()).contains("src/App.java:3");
        FlagScan.Problem removed = r.problems().stream().filter(p -> p.flag().equals("old-search")).findFirst().orElseThrow();
        assertThat(removed.severity()).isEqualTo(Finding.Severity.HIGH);
        assertThat(r.ok(Finding.Severity.HIGH)).isFalse();
        // a team pattern finds more
        Policy.Scope more = new Policy.Scope(List.of("**"), ".release/secrets-allowlist.yaml", Policy.Scope.FLAG_REGISTRY,
                List.of(Policy.Scope.FLAG_PATTERN.get(0), Policy.Scope.FLAG_PATTERN.get(1), "feature_flag\\(\"([a-z-]+)\"\\)"));
        assertThat(ids(scan(Optional.empty(), more))).contains("flags.unregistered:not-matched");
    }

    @Test
    void markingAnOverdueFlagRemovedWhileTheCodeStillUsesItStillBlocks() throws Exception {
        write("flags/registry.yaml", registry(flag("new-checkout", "team-payments", "ramping", "2026-11-30")));
        write("src/Checkout.java", "if (flags.isEnabled(\"new-checkout\")) { run(); }\n");
        commit("feat: new checkout");
        assertThat(ids(scan())).containsExactly("flags.overdue:new-checkout");
        // the registry says removed, the code did not change: no longer overdue, but just as blocking
        write("flags/registry.yaml", registry(flag("new-checkout", "team-payments", "removed", null)));
        commit("chore: call the flag removed");
        FlagScan.Result r = scan();
        assertThat(ids(r)).containsExactly("flags.removed-referenced:new-checkout");
        assertThat(r.problems().get(0).severity()).isEqualTo(Finding.Severity.HIGH);
        assertThat(r.ok(Finding.Severity.HIGH)).isFalse();
        // removing the code too clears it
        write("src/Checkout.java", "run();\n");
        commit("refactor: the new checkout is the checkout");
        assertThat(scan().problems()).isEmpty();
    }

    @Test
    void withoutARegistryEveryReferencedFlagIsUnregisteredAndWithoutReferencesNothingIsFound() throws Exception {
        write("src/App.java", "class App {}\n");
        commit("feat: app");
        FlagScan.Result none = scan();
        assertThat(none.problems()).isEmpty();
        assertThat(none.registryPresent()).isFalse();
        assertThat(none.ok(Finding.Severity.HIGH)).isTrue();
        write("src/App.java", "class App { boolean x = ff.isEnabled(\"a-flag\") && ff.isEnabled(\"b-flag\"); }\n");
        commit("feat: flags");
        FlagScan.Result r = scan();
        assertThat(ids(r)).containsExactly("flags.unregistered:a-flag", "flags.unregistered:b-flag");
        assertThat(r.problems().get(0).message()).contains("there is no flags/registry.yaml");
    }

    @Test
    void binaryFilesAreSkippedAFileTooLargeIsReportedAndABadRegistryIsBadInput() throws Exception {
        byte[] bin = ("isEnabled(\"in-binary\")\0\1\2").getBytes(StandardCharsets.UTF_8);
        Files.write(repo.dir().resolve("blob.bin"), bin);
        Path big = repo.dir().resolve("dump.sql");
        try (var w = Files.newBufferedWriter(big)) {
            String line = "insert into t values ('" + "x".repeat(200) + "');\n";
            for (long n = 0; n <= FlagScan.MAX_BLOB_BYTES / line.length() + 1; n++) {
                w.write(line);
            }
        }
        commit("chore: blobs");
        FlagScan.Result r = scan();
        assertThat(r.binaries()).isEqualTo(1);
        assertThat(r.problems()).isEmpty();
        assertThat(r.unscanned()).singleElement().satisfies(u -> assertThat(u.id()).isEqualTo("flags.unscanned:dump.sql"));
        assertThat(r.ok(Finding.Severity.HIGH)).isFalse();
        assertThat(ScopeFindings.flags(r)).singleElement().satisfies(f -> assertThat(f.severity()).isEqualTo(Finding.Severity.HIGH));

        Files.createDirectories(repo.dir().resolve("flags"));
        Files.write(repo.dir().resolve("flags/registry.yaml"), "flags:\n  - name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        commit("chore: a latin-1 registry");
        assertThatThrownBy(this::scan).isInstanceOf(InputException.class).hasMessageContaining("flags/registry.yaml@")
                .hasMessageContaining("not valid UTF-8");
        Files.write(repo.dir().resolve("flags/registry.yaml"), new byte[] {'x', 0, 1});
        commit("chore: a binary registry");
        assertThatThrownBy(this::scan).isInstanceOf(InputException.class).hasMessageContaining("binary");
    }

    @Test
    void theChangesOfTheRegistryInTheRangeAreListedOldestFirstWithWhoWhenAndWhy() throws Exception {
        write("flags/registry.yaml", registry(flag("legacy", "team-a", "full", "2027-01-01")));
        commit("chore: the registry before the release");
        repo.tag("v1.1.0");
        write("flags/registry.yaml", registry(flag("legacy", "team-a", "full", "2027-01-01"),
                flag("new-checkout", "team-payments", "default-off", "2027-01-15")));
        String added = commitAs("feat(checkout): a flag for the new checkout", "Alice", "alice@example.com");
        write("src/Other.java", "class Other {}\n");
        commit("chore: unrelated");
        write("flags/registry.yaml", registry(flag("legacy", "team-a", "full", "2027-01-01"),
                flag("new-checkout", "team-payments", "ramping", "2027-01-15")));
        String ramped = commitAs("feat(checkout): ramp the new checkout to 10%", "Bob", "bob@example.com");
        write("flags/registry.yaml", registry(flag("new-checkout", "team-payments", "full", "2027-01-15",
                "the migration slipped", "2027-03-01")));
        String removed = commitAs("chore: legacy is gone; new checkout at 100%", "Carol", "carol@example.com");

        FlagScan.Result r = scan();
        assertThat(r.changes()).extracting(FlagScan.Change::commit, FlagScan.Change::flag, FlagScan.Change::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple(added, "new-checkout", FlagScan.ChangeKind.ADDED),
                org.assertj.core.groups.Tuple.tuple(ramped, "new-checkout", FlagScan.ChangeKind.CHANGED),
                org.assertj.core.groups.Tuple.tuple(removed, "new-checkout", FlagScan.ChangeKind.CHANGED),
                org.assertj.core.groups.Tuple.tuple(removed, "legacy", FlagScan.ChangeKind.REMOVED));
        FlagScan.Change ramp = r.changes().get(1);
        assertThat(ramp.author()).isEqualTo("Bob <bob@example.com>");
        assertThat(ramp.subject()).isEqualTo("feat(checkout): ramp the new checkout to 10%");
        assertThat(ramp.what()).isEqualTo("state default-off -> ramping");
        assertThat(ramp.time()).isNotNull();
        assertThat(r.changes().get(2).what()).contains("state ramping -> full").contains("deviations (none) -> 1 (last: 2027-03-01)");
        assertThat(r.changes().get(0).what()).contains("added").contains("owner team-payments");
        // an explicit range from the start lists the first registry commit too
        assertThat(scan(Optional.of("v1.0.0..HEAD")).changes()).extracting(FlagScan.Change::flag).startsWith("legacy");
    }

    @Test
    void aRangeThatDoesNotExistIsBadInput() {
        try (History h = History.open(repo.dir())) {
            assertThatThrownBy(() -> ReleaseRange.resolve(h, Optional.of("v9.9.9..HEAD"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("v9.9.9");
        }
    }
}
