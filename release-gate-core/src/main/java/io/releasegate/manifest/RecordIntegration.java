package io.releasegate.manifest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.gates.EvaluateGates;
import io.releasegate.gates.Reports;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.ArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * {@code manifest test}: records the outcome of an integration test run against exactly one set, from its JUnit XML
 * report, as a {@code check-recorded} event named {@code integration} bound to the manifest's digest (which production
 * requires, see the promotion's integration rule). Pass: at least one test case and none failed or errored. The report's
 * digest is recorded with it. Refused: a digest other than the manifest's ({@code promote.digest-mismatch}), a subject
 * that is not a release manifest; a report that is not JUnit XML is an {@link InputException}. A failing run is recorded
 * too (it is a fact), and returned as such.
 */
public final class RecordIntegration {

    /** What was recorded. */
    public record Result(boolean pass, int tests, int failures, String summary, String eventId) {
    }

    private RecordIntegration() {
    }

    public static Result record(ArtifactStore store, Ledger ledger, String subject, Digest digest, Path junit, String actor,
                                Clock clock) {
        if (actor == null || actor.isBlank()) {
            throw new InputException("recording an integration test needs the actor");
        }
        List<Event> events = ledger.events(subject);
        ReleaseManifest manifest = ReleaseManifest.read(store, subject, events);
        Digest built = ReleaseManifest.built(events).orElseThrow().digest().orElseThrow();
        if (!built.equals(digest)) {
            throw new RefusedException(new Refusal("promote.digest-mismatch", "the integration test names " + digest + " but the set "
                    + subject + " is " + built, "test and record exactly the set that goes out"));
        }
        Reports.JUnit report = Reports.junit(junit);
        boolean pass = report.tests() > 0 && report.failures().isEmpty();
        String summary = report.tests() + " test(s), " + report.failures().size() + " failed" + (report.tests() == 0
                ? ": a report without tests proves nothing" : "") + "; members " + manifest.members().stream()
                .map(ReleaseManifest.Member::subject).toList();
        ObjectNode p = Json.object().put("name", "integration").put("result", pass ? "pass" : "fail").put("summary", summary)
                .put("tests", report.tests()).put("failures", report.failures().size());
        try {
            p.put("report", Digester.of(Files.readAllBytes(junit)).toString());
        } catch (IOException e) {
            throw new InputException("cannot read " + junit + ": " + e.getMessage(), e);
        }
        report.failures().stream().limit(50).forEach(f -> p.withArray("failed").add(f.id()));
        Event e = ledger.append(Event.draft(EvaluateGates.CHECK_RECORDED, subject, Optional.of(digest), actor, clock.instant(), p));
        return new Result(pass, report.tests(), report.failures().size(), summary, e.id());
    }
}
