package io.releasegate.approval;

import io.releasegate.ledger.EventType;
import io.releasegate.digest.Digest;
import io.releasegate.ledger.Event;
import io.releasegate.policy.Policy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The approvals recorded for one digest of a release in one environment, against the policy's rule. */
public record ApprovalStatus(List<Event> approvals, Set<String> approvers, Set<String> rolesCovered,
                             Set<String> rolesMissing, int required) {

    public ApprovalStatus {
        approvals = List.copyOf(approvals);
        approvers = Set.copyOf(approvers);
        rolesCovered = Set.copyOf(rolesCovered);
        rolesMissing = Set.copyOf(rolesMissing);
    }

    public static final String APPROVED = EventType.APPROVED.wire();

    public boolean satisfied() {
        return approvers.size() >= required && rolesMissing.isEmpty();
    }

    /** Approvals of {@code digest} (and only that digest) for {@code environment} among the subject's events. */
    public static ApprovalStatus of(Policy policy, List<Event> subjectEvents, Digest digest, String environment) {
        List<Event> approvals = new ArrayList<>();
        Set<String> approvers = new LinkedHashSet<>();
        Set<String> roles = new TreeSet<>();
        Set<String> counted = new LinkedHashSet<>();
        for (Event e : subjectEvents) {
            if (e.type().equals(APPROVED) && e.digest().equals(Optional.of(digest))
                    && e.text("environment").orElse("production").equals(environment)
                    && !Identities.matches(e.actor(), counted)) {
                // one person counts once, under whichever form of their identity they approved
                counted.addAll(Identities.forms(e.actor()));
                approvers.add(Identities.normalise(e.actor()));
                approvals.add(e);
                e.text("role").ifPresent(roles::add);
            }
        }
        Set<String> missing = new TreeSet<>(policy.approvals().roles());
        missing.removeAll(roles);
        return new ApprovalStatus(approvals, approvers, roles, missing, policy.approvals().count());
    }

    public String describe() {
        return approvers.size() + " of " + required + " approval(s)" + (rolesMissing.isEmpty() ? ""
                : ", missing role(s) " + rolesMissing);
    }
}
