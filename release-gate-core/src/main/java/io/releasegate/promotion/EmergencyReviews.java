package io.releasegate.promotion;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Emergency changes need a post-change review: record it, and list those whose review is overdue. */
public final class EmergencyReviews {

    public static final String REVIEWED = "emergency-reviewed";

    private EmergencyReviews() {
    }

    /** Emergency changes without a review whose review date has passed at {@code now}. */
    public static List<Event> overdue(List<Event> events, Instant now) {
        Set<String> reviewed = events.stream().filter(e -> e.type().equals(REVIEWED))
                .map(e -> e.text("emergency").orElse("")).collect(Collectors.toSet());
        return events.stream().filter(e -> e.type().equals(PromoteDigest.EMERGENCY))
                .filter(e -> !reviewed.contains(e.id()))
                .filter(e -> e.text("reviewDue").map(Instant::parse).map(now::isAfter).orElse(true))
                .toList();
    }

    /** Records the post-change review of one emergency change. */
    public static Event review(Ledger ledger, String emergencyEventId, String reviewer, String notes, Clock clock) {
        Event emergency = ledger.events().stream().filter(e -> e.id().equals(emergencyEventId)
                && e.type().equals(PromoteDigest.EMERGENCY)).findFirst()
                .orElseThrow(() -> new InputException("no emergency change " + emergencyEventId + " in " + ledger.location()));
        if (notes == null || notes.isBlank()) {
            throw new InputException("a post-change review needs its findings (notes)");
        }
        ObjectNode p = Json.object().put("emergency", emergencyEventId).put("notes", notes.trim());
        return ledger.append(Event.draft(REVIEWED, emergency.subject(), emergency.digest(), reviewer, clock.instant(), p));
    }
}
