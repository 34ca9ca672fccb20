package io.releasegate.promotion;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Which digests a rollback may go back to. Known-good: a digest whose verify-production passed in production (a
 * {@code production-verified} event with result {@code pass}), whose last verify-production did not fail, and that was
 * not marked bad ({@code marked-bad}) after it passed. Anything else is refused, naming why.
 */
public final class KnownGood {

    public static final String RULE = "promote.rollback-known-good";

    private KnownGood() {
    }

    /** Why {@code digest} is not known-good among {@code events} (the release's, oldest first); empty when it is. */
    public static Optional<Refusal> whyNot(List<Event> events, String subject, Digest digest) {
        Optional<Event> lastPass = Optional.empty();
        Optional<Event> lastVerify = Optional.empty();
        Optional<Event> bad = Optional.empty();
        for (Event e : events) {
            if (!e.digest().equals(Optional.of(digest))) {
                continue;
            }
            // a rollout stage's verification (recorded with its environment) is not production's
            if (EventType.PRODUCTION_VERIFIED.is(e) && e.text("environment").orElse("production").equals("production")) {
                lastVerify = Optional.of(e);
                if (e.text("result").orElse("").equals("pass")) {
                    lastPass = Optional.of(e);
                    bad = Optional.empty();
                }
            } else if (EventType.MARKED_BAD.is(e)) {
                bad = Optional.of(e);
            }
        }
        String remedy = "roll back to a digest whose verify-production passed in production and that was not marked bad since";
        if (lastPass.isEmpty()) {
            return Optional.of(new Refusal(RULE, digest + " of " + subject + " never passed verify-production in production"
                    + lastVerify.map(v -> " (its verify-production " + v.id() + " failed: "
                    + v.payload().path("problems").toString() + ")").orElse(""), remedy));
        }
        if (bad.isPresent()) {
            return Optional.of(new Refusal(RULE, digest + " of " + subject + " was marked bad (event " + bad.get().id() + ": "
                    + bad.get().text("reason").orElse("?") + ") after its verify-production passed (" + lastPass.get().id() + ")",
                    remedy));
        }
        if (!lastVerify.get().id().equals(lastPass.get().id())) {
            return Optional.of(new Refusal(RULE, digest + " of " + subject + " failed its last verify-production ("
                    + lastVerify.get().id() + ": " + lastVerify.get().payload().path("problems").toString()
                    + ") after passing it (" + lastPass.get().id() + ")", remedy));
        }
        return Optional.empty();
    }

    /** Records that {@code digest} of {@code subject} is bad: no rollback goes back to it afterwards. */
    public static Event markBad(Ledger ledger, String subject, Digest digest, String actor, String reason, Clock clock) {
        if (reason == null || reason.isBlank()) {
            throw new InputException("marking a digest bad needs the reason (an incident reference, what is wrong)");
        }
        boolean known = ledger.events(subject).stream().anyMatch(e -> EventType.BUILT.is(e) && e.digest().equals(Optional.of(digest)));
        if (!known) {
            throw new InputException(subject + " was not built as " + digest + "; nothing to mark bad");
        }
        ObjectNode p = Json.object().put("reason", reason.strip());
        return ledger.append(Event.draft(EventType.MARKED_BAD.wire(), subject, Optional.of(digest), actor, clock.instant(), p));
    }
}
