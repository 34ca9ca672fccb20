package io.releasegate.error;

import java.util.List;

/** The policy refuses the operation: exit 1. Carries every {@link Refusal} that applied. */
public final class RefusedException extends ReleaseGateException {

    private final List<Refusal> refusals;

    public RefusedException(Refusal refusal) {
        this(List.of(refusal));
    }

    public RefusedException(List<Refusal> refusals) {
        super(describe(refusals), null);
        if (refusals.isEmpty()) {
            throw new IllegalArgumentException("a refusal needs at least one reason");
        }
        this.refusals = List.copyOf(refusals);
    }

    public List<Refusal> refusals() {
        return refusals;
    }

    @Override
    public int exitCode() {
        return 1;
    }

    private static String describe(List<Refusal> refusals) {
        StringBuilder sb = new StringBuilder();
        for (Refusal r : refusals) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(r.describe());
        }
        return sb.toString();
    }
}
