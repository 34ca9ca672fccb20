package io.releasegate.error;

import java.util.Objects;

/**
 * Why something was refused: the rule, the evidence the rule looked at, and what would satisfy it.
 *
 * @param rule     stable identifier of the rule, e.g. {@code store.immutable-version}
 * @param evidence what was observed
 * @param remedy   what would satisfy the rule
 */
public record Refusal(String rule, String evidence, String remedy) {

    public Refusal {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(remedy, "remedy");
    }

    public String describe() {
        return "refused by rule " + rule + ": " + evidence + "; to proceed: " + remedy;
    }
}
