package io.releasegate.promotion;

import io.releasegate.build.Targets;
import io.releasegate.digest.Digest;
import io.releasegate.error.Refusal;
import io.releasegate.ledger.Event;
import java.util.List;
import java.util.Optional;

/**
 * The release was built, as exactly this digest: a rebuild is a new version. Into the last environment only a
 * complete release: every target the build declared has its subject ({@link Targets}).
 */
final class BuiltRule implements PromotionRule {

    @Override
    public Outcome check(Promotion p) {
        Optional<Event> built = p.built();
        if (built.isEmpty()) {
            return new Refused(new Refusal("promote.evidence-built", "the ledger has no 'built' event for " + p.subject(),
                    "build it with buildOnce first"));
        }
        Digest builtDigest = built.get().digest().orElseThrow();
        if (!builtDigest.equals(p.digest())) {
            return new Refused(new Refusal("promote.digest-mismatch", "promoting " + p.digest() + " but " + p.subject()
                    + " was built as " + builtDigest, "promote the digest that was built; a rebuild is a new version"));
        }
        List<String> missing = Targets.missing(built.get());
        if (p.productionGrade() && !missing.isEmpty()) {
            return new Refused(new Refusal("promote." + Targets.MISSING, p.subject() + " is incomplete: its build (event "
                    + built.get().id() + ") declared the target(s) " + String.join(", ", missing) + " and published no subject "
                    + "for them", "build every target into one new version (build-once with all of them) and promote that"));
        }
        return PromotionRule.satisfied();
    }
}
