package io.releasegate.promotion;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.Identities;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A release halt (APM2 step 17): while one is recorded, no release is promoted past the first environment, except a
 * rollback to a known-good digest. Setting and lifting it are a person's events, signed by that person (or attested for
 * them), in the ledger under {@value #SUBJECT}; lifting it needs someone other than whoever set it.
 */
public final class ReleaseHalt {

    /** The ledger subject of halts: they concern every release. */
    public static final String SUBJECT = "release-gate:halt";
    public static final String HALTED = EventType.HALTED.wire();
    public static final String LIFTED = EventType.HALT_LIFTED.wire();
    /** A promotion refused by a standing halt. */
    public static final String RULE = "promote.halted";
    /** An incident past its severity's response time while its halt stands. */
    public static final String OVERDUE = "incident.response-overdue";

    private ReleaseHalt() {
    }

    /** The standing halt among the halt events (oldest first): the newest {@code halted} that no lift answered. */
    public static Optional<Event> active(List<Event> events) {
        Optional<Event> standing = Optional.empty();
        for (Event e : events) {
            if (e.type().equals(HALTED)) {
                standing = Optional.of(e);
            } else if (e.type().equals(LIFTED) && standing.isPresent()
                    && e.text("halt").orElse("").equals(standing.get().id())) {
                standing = Optional.empty();
            }
        }
        return standing;
    }

    /** Records a halt by {@code actor}; refused while another one stands. */
    public static Event set(Ledger ledger, String actor, String reason, String incident, String severity, Policy policy,
                            Clock clock) {
        require(actor, "the person setting the halt (--actor)");
        require(reason, "a reason (--reason)");
        require(incident, "the incident it answers (--incident)");
        if (!severity.isBlank() && !policy.incidents().responseTime().containsKey(severity)) {
            throw new InputException("unknown incident severity '" + severity + "'; the policy knows "
                    + new java.util.TreeSet<>(policy.incidents().responseTime().keySet()));
        }
        Optional<Event> standing = active(ledger.events(SUBJECT));
        if (standing.isPresent()) {
            throw new RefusedException(new Refusal("halt.standing", describe(standing.get()) + " already stands",
                    "lift it first (release-gate halt --lift), or record the new incident with it"));
        }
        ObjectNode p = Json.object().put("reason", reason.strip()).put("incident", incident.strip());
        if (!severity.isBlank()) {
            p.put("severity", severity.strip());
        }
        policy.stamp(p);
        return ledger.append(Event.draft(HALTED, SUBJECT, Optional.empty(), actor, clock.instant(), p));
    }

    /** Lifts the standing halt, by someone other than whoever set it. */
    public static Event lift(Ledger ledger, String actor, String reason, Policy policy, Clock clock) {
        require(actor, "the person lifting the halt (--actor)");
        require(reason, "a reason (--reason)");
        Event standing = active(ledger.events(SUBJECT)).orElseThrow(() -> new RefusedException(new Refusal("halt.none",
                "no release halt stands", "nothing to lift")));
        if (Identities.matches(actor, Identities.forms(standing.actor()))) {
            throw new RefusedException(new Refusal("halt.self-lift", actor + " set " + describe(standing)
                    + " and cannot lift it alone", "ask another release manager to lift it"));
        }
        ObjectNode p = Json.object().put("halt", standing.id()).put("reason", reason.strip());
        standing.text("incident").ifPresent(i -> p.put("incident", i));
        policy.stamp(p);
        return ledger.append(Event.draft(LIFTED, SUBJECT, Optional.empty(), actor, clock.instant(), p));
    }

    /** The halt, for messages: who set it, when, why and for which incident. */
    public static String describe(Event halt) {
        return "the release halt " + halt.id().substring(0, Math.min(12, halt.id().length())) + " set by " + halt.actor() + " at "
                + halt.time() + " for incident " + halt.text("incident").orElse("?") + " (" + halt.text("reason").orElse("") + ")";
    }

    /** How long past its severity's response time the halt's incident is at {@code now}; empty when not overdue. */
    public static Optional<Duration> overdue(Event halt, Policy policy, Instant now) {
        Optional<Duration> limit = halt.text("severity").map(s -> policy.incidents().responseTime().get(s));
        if (limit.isEmpty() || limit.get() == null) {
            return Optional.empty();
        }
        Duration standing = Duration.between(halt.time(), now);
        return standing.compareTo(limit.get()) > 0 ? Optional.of(standing.minus(limit.get())) : Optional.empty();
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new InputException("a release halt needs " + what);
        }
    }
}
