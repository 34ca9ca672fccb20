package io.releasegate.steps;

import io.releasegate.error.InputException;
import io.releasegate.promotion.EmergencyChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An emergency change as a pipeline describes it ({@code promoteDigest} and {@code plan}): everything but its approver,
 * who is whoever submitted the emergency input, as the caller's own records say, never a value from the map.
 */
public record EmergencyArgs(String reason, String scope, String rollbackPlan, List<String> followUps) {

    /** Fields of an emergency change a pipeline passes; the approver is never one of them. */
    public static final Set<String> KEYS = Set.of("reason", "scope", "rollbackPlan", "followUps");

    public EmergencyArgs {
        followUps = List.copyOf(followUps);
    }

    /** From a pipeline's value: a map of {@link #KEYS}, values stripped; follow-ups a list, or lines of text. */
    public static EmergencyArgs of(Object value) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new InputException("emergency must be a map of " + new TreeSet<>(KEYS));
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> fields = (Map<String, ?>) m;
        if (fields.containsKey("approver")) {
            throw new InputException("emergency: the approver is whoever submitted the emergency input, as recorded by the "
                    + "pipeline, never an argument");
        }
        StepArgs a = StepArgs.of("emergency", fields, KEYS);
        List<String> followUps = new ArrayList<>();
        Object f = fields.get("followUps");
        if (f instanceof List<?> list) {
            list.forEach(x -> followUps.add(String.valueOf(x).strip()));
        } else if (f != null) {
            f.toString().lines().map(String::strip).forEach(followUps::add);
        }
        followUps.removeIf(String::isEmpty);
        return new EmergencyArgs(a.text("reason", "").strip(), a.text("scope", "").strip(), a.text("rollbackPlan", "").strip(),
                followUps);
    }

    /** The emergency change approved by {@code approver}. */
    public EmergencyChange change(String approver) {
        return new EmergencyChange(reason, approver, scope, rollbackPlan, followUps);
    }
}
