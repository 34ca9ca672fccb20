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
