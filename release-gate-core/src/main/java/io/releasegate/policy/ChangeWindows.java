package io.releasegate.policy;

import io.releasegate.error.Refusal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/** Whether an instant is inside the policy's change windows for an environment. */
public final class ChangeWindows {

    private ChangeWindows() {
    }

    /** Empty when changes are allowed at {@code when}; otherwise why not. */
    public static Optional<Refusal> check(Policy policy, String environment, Instant when) {
        Policy.Windows w = policy.windows();
        ZonedDateTime local = when.atZone(ZoneId.of(w.timezone()));
        LocalDate day = local.toLocalDate();
        String remedy = "wait for the next window, or record an emergency change (reason, approver, scope, rollback plan, follow-ups)";
        if (w.blackouts().contains(day)) {
            return Optional.of(new Refusal("window.blackout", day + " is a blackout date (" + w.timezone() + ")", remedy));
        }
        for (Policy.Freeze f : w.freezes()) {
            // a freeze of production covers its rollout stages
            boolean covers = f.scope().isEmpty() || f.scope().contains(environment)
                    || (policy.stageOf(environment).isPresent() && f.scope().contains(policy.production()));
            if (covers && !day.isBefore(f.from()) && !day.isAfter(f.to())) {
                return Optional.of(new Refusal("window.freeze", "freeze '" + f.name() + "' (" + f.from() + " to " + f.to()
                        + ") covers " + environment + "; exit criteria: " + f.exitCriteria(), remedy));
            }
        }
        for (Policy.Weekly wk : w.weekly()) {
            if (wk.days().contains(local.getDayOfWeek()) && !local.toLocalTime().isBefore(wk.from())
                    && local.toLocalTime().isBefore(wk.to())) {
                return Optional.empty();
            }
        }
        return Optional.of(new Refusal("window.outside", local.getDayOfWeek() + " " + local.toLocalTime().withNano(0) + " "
                + w.timezone() + " is outside the change windows " + describe(w), remedy));
    }

    private static String describe(Policy.Windows w) {
        return w.weekly().stream().map(x -> x.days() + " " + x.from() + "-" + x.to()).toList().toString();
    }
}
