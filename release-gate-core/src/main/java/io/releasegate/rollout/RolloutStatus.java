package io.releasegate.rollout;

import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.policy.Policy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where one release stands in the rollout, from its events: for each stage and for production, the promotion into it,
 * when its soak time ends, and the verification evidence and health checks recorded there for the digest since. A
 * projection for people and the release record; whether the next stage may be taken is the promotion's decision
 * ({@code io.releasegate.promotion.RolloutRule}).
 */
public final class RolloutStatus {

    /** One piece of recorded evidence: its kind ({@code check}, {@code dashboard}, {@code checklist}, {@code health}). */
    public record Recorded(String kind, String result, String actor, Instant time, String eventId, String summary) {
    }

    /**
     * One stage (or production, {@code stage} {@code production}, 100%): its promotion there, the end of its soak time, and
     * what was recorded since, oldest first.
     */
    public record StageStatus(String stage, String environment, int percent, Optional<Event> promoted,
                              Optional<Instant> soakUntil, List<String> evidenceRequired, List<Recorded> recorded) {
        public StageStatus {
            evidenceRequired = List.copyOf(evidenceRequired);
            recorded = List.copyOf(recorded);
        }
    }

    /** The release's progress; {@code current}: the furthest environment it was promoted to. */
    public record Status(String subject, List<StageStatus> stages, Optional<String> current) {
        public Status {
            stages = List.copyOf(stages);
        }
    }

    private RolloutStatus() {
    }

    public static Status of(Policy policy, List<Event> events, String subject) {
        List<StageStatus> out = new ArrayList<>();
        Optional<String> current = Optional.empty();
        for (Policy.Stage st : policy.rollout().stages()) {
            String env = st.environment(policy.production());
            StageStatus s = status(events, st.name(), env, st.percent(), Optional.of(st));
            if (s.promoted().isPresent()) {
                current = Optional.of(env);
            }
            out.add(s);
        }
        StageStatus prod = status(events, policy.production(), policy.production(), 100, Optional.empty());
        if (prod.promoted().isPresent()) {
            current = Optional.of(policy.production());
        }
        out.add(prod);
        return new Status(subject, out, current);
    }

    private static StageStatus status(List<Event> events, String name, String env, int percent, Optional<Policy.Stage> st) {
        Optional<Event> promoted = events.stream().filter(e -> EventType.PROMOTED.is(e)
                && e.text("environment").orElse("").equals(env)).reduce((a, b) -> b);
        List<Recorded> recorded = new ArrayList<>();
        if (promoted.isPresent()) {
            for (Event e : events) {
                String in = e.text("environment").orElse(EventType.PRODUCTION_VERIFIED.is(e) ? "production" : "");
                if (!e.digest().equals(promoted.get().digest()) || !in.equals(env)
                        || e.time().isBefore(promoted.get().time())) {
                    continue;
                }
                String kind = EventType.STAGE_VERIFIED.is(e) ? e.text("kind").orElse("?")
                        : EventType.STAGE_CHECKLIST_SIGNED.is(e) ? "checklist"
                        : EventType.HEALTH_CHECKED.is(e) ? "health"
                        : EventType.PRODUCTION_VERIFIED.is(e) ? "verify" : null;
                if (kind != null) {
                    recorded.add(new Recorded(kind, e.text("result").orElse(kind.equals("checklist") ? "signed" : "?"), e.actor(),
                            e.time(), e.id(), e.text("summary").orElse("")));
                }
            }
        }
        Optional<Instant> soakUntil = promoted.flatMap(p -> st.map(s -> p.time().plus(s.soak())));
        return new StageStatus(name, env, percent, promoted, soakUntil, st.map(Policy.Stage::evidence).orElse(List.of()),
                recorded);
    }
}
