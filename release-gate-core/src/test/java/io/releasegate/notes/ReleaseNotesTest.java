package io.releasegate.notes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.changelog.Changelog;
import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Event;
import io.releasegate.record.ReleaseRecord;
import io.releasegate.record.ReleaseRecordProjection;
import io.releasegate.testing.TestRepo;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseNotesTest {

    @TempDir
    Path tmp;

    static ReleaseRecord record(List<Event> extra) {
        List<Event> events = new java.util.ArrayList<>(io.releasegate.record.ReleaseRecordsTest.history());
        events.addAll(extra);
        return ReleaseRecordProjection.project("payments", "1.4.0", events, "/l", Optional.empty()).orElseThrow();
    }

    Changelog.Result changelog() {
        TestRepo repo = TestRepo.init(tmp.resolve("r"));
        repo.commit("feat: base\n\nRefs: PAY-1");
        repo.tag("v1.3.0");
        repo.commit("feat(refunds): partial refunds (#42)\n\nRefs: PAY-9\nRisk: refunds touch settlement; feature flag off by default");
        repo.commit("fix: rounding\n\nRefs: PAY-10");
        repo.commit("feat(api)!: currencies\n\nRefs: PAY-11\nBREAKING CHANGE: amounts are objects; see docs/migration.md");
        try (History h = History.open(repo.dir())) {
            return new Changelog(h).version(Optional.of("1.4.0")).call();
        }
    }

    @Test
    void fillsTheTemplateFromTheRecordAndTheChangelog() {
        String md = new ReleaseNotes(record(List.of())).changelog(changelog()).summary(Optional.of("Partial refunds and currencies."))
                .date(LocalDate.of(2026, 11, 22)).render();
        assertThat(md).startsWith("# payments v1.4.0\n");
        assertThat(md).contains("Released 2026-11-22 from commit `" + "1".repeat(40) + "`");
        assertThat(md).contains("## Summary\n\nPartial refunds and currencies.");
        assertThat(md).contains("- **refunds:** partial refunds (#42)");
        assertThat(md).contains("- rounding");
        assertThat(md).contains("- amounts are objects; see docs/migration.md");
        assertThat(md).contains("- slow first start");
        assertThat(md).contains("- refunds touch settlement; feature flag off by default (partial refunds");
        assertThat(md).contains("Promote the last known-good release 1.3.0 (`sha256:" + "b".repeat(64) + "`)");
        assertThat(md).contains("`payments:1.4.0` `sha256:" + "a".repeat(64) + "`");
        assertThat(md).contains("- carol (maintainer)").contains("- staging: `sha256:");
        assertThat(md).doesNotContain("{{");
    }

    @Test
    void theFeatureFlagChangesOfTheRangeAreASectionOnlyWhenThereAreAny() throws Exception {
        TestRepo repo = TestRepo.init(tmp.resolve("flags"));
        repo.commit("chore: start");
        repo.tag("v1.3.0");
        String flag = "flags:\n  - name: new-checkout\n    owner: team-payments\n    escalation: oncall@example.com\n"
                + "    created: 2026-11-01\n    state: %s\n    removal: 2027-01-15\n";
        java.nio.file.Files.createDirectories(repo.dir().resolve("flags"));
        java.nio.file.Files.writeString(repo.dir().resolve("flags/registry.yaml"), flag.formatted("default-off"));
        repo.commitAs("feat(checkout): a flag for the new checkout", "Alice", "alice@example.com");
        java.nio.file.Files.writeString(repo.dir().resolve("flags/registry.yaml"), flag.formatted("ramping"));
        String ramp = repo.commitAs("feat(checkout): ramp the new checkout", "Bob", "bob@example.com");
        List<io.releasegate.scope.FlagScan.Change> changes;
        try (History h = History.open(repo.dir())) {
            changes = new io.releasegate.scope.FlagScan(h.repository())
                    .range(io.releasegate.scope.ReleaseRange.resolve(h, Optional.empty())).changes();
        }
        ReleaseNotes notes = new ReleaseNotes(record(List.of())).changelog(changelog()).summary(Optional.of("s"))
                .date(LocalDate.of(2026, 11, 22));
        String md = notes.flagChanges(changes).render();
        assertThat(md).contains("## Feature flags\n\n- `new-checkout` added (state default-off, owner team-payments, removal "
                + "2027-01-15): Alice <alice@example.com>, ");
        assertThat(md).contains("- `new-checkout` state default-off -> ramping: Bob <bob@example.com>, ")
                .contains("`" + ramp.substring(0, 7) + "` feat(checkout): ramp the new checkout");
        assertThat(md.indexOf("## Feature flags")).isLessThan(md.indexOf("## Known issues"));
        // no change: no section, not "None recorded."
        String none = notes.flagChanges(List.of()).render();
        assertThat(none).doesNotContain("Feature flags").doesNotContain("{{");
        assertThat(none).containsPattern("## Breaking changes and migrations\n\n- amounts are objects; see docs/migration.md \\([0-9a-f]{7}\\)\n\n## Known issues");
    }

    @Test
    void anEmptyRequiredFieldStopsTheNotesNamingIt() {
        assertThatThrownBy(() -> new ReleaseNotes(record(List.of())).changelog(changelog()).render())
                .isInstanceOf(RefusedException.class)
                .hasMessageContaining("release-notes.required-field").hasMessageContaining("'summary'");
        // without risks in the commits or given, 'risks' is named too
        assertThatThrownBy(() -> new ReleaseNotes(record(List.of())).summary(Optional.of("s")).render())
                .isInstanceOf(RefusedException.class).hasMessageContaining("'risks'");
    }

    @Test
    void theTemplateIsCheckedToo() {
        ReleaseNotes notes = new ReleaseNotes(record(List.of())).summary(Optional.of("s")).risks(Optional.of("r"));
        assertThatThrownBy(() -> notes.template("# {{nmae}}\n").render()).isInstanceOf(InputException.class)
                .hasMessageContaining("{{nmae}}");
        assertThatThrownBy(() -> notes.template("<!-- required: owner -->\n# x\n").render())
                .isInstanceOf(InputException.class).hasMessageContaining("unknown field 'owner'");
    }
}
