package io.releasegate.approval;

import io.releasegate.error.Refusal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may approve a release, for production approvals and emergency changes alike: someone who holds the role
 * (or, with no role named, one of the policy's roles), who did not author or commit a change in the release, and
 * who does not release it (start it, or promote it). Identities are compared by {@link Identities#matches}.
 */
public final class ApproverRules {

    /** The rule names a kind of approval reports. */
    public record Rules(String notInRole, String author, String releaser) {
    }

    public static final Rules APPROVAL = new Rules("approval.not-in-role", "approval.author", "approval.releaser");
    public static final Rules EMERGENCY = new Rules("emergency.approver-not-in-role", "emergency.approver-author",
            "emergency.approver-releaser");
    /** Who signs a rollout stage's checklist (see {@code io.releasegate.promotion.RolloutRule}). */
    public static final Rules CHECKLIST = new Rules("rollout.checklist-signer", "rollout.checklist-author",
            "rollout.checklist-releaser");

    private ApproverRules() {
    }

    /**
     * Why {@code approver} may not approve {@code subject}; empty when they may.
     *
     * @param role      the role they approve as; empty: any of {@code policyRoles}
     * @param authors   the forms of the identities of the release's authors and committers
     * @param releasers who starts or promotes the release
     */
    public static List<Refusal> check(Rules rules, String approver, Optional<String> role, List<String> policyRoles,
                                      RoleDirectory roles, Set<String> authors, List<String> releasers, String subject) {
        List<Refusal> out = new ArrayList<>();
        if (role.isPresent()) {
            if (!roles.holds(approver, role.get())) {
                out.add(new Refusal(rules.notInRole(), approver + " does not hold the role " + role.get()
                        + (roles.members(role.get()).isEmpty() ? " (nobody does: configure approvals.members." + role.get() + ")" : ""),
                        "ask someone who holds " + role.get()));
            }
        } else if (policyRoles.stream().noneMatch(r -> roles.holds(approver, r))) {
            out.add(new Refusal(rules.notInRole(), (approver.isBlank() ? "nobody" : approver) + " holds none of the roles "
                    + policyRoles, "ask someone who holds one of " + policyRoles));
        }
        if (Identities.matches(approver, authors)) {
            out.add(new Refusal(rules.author(), approver + " authored or committed a change in " + subject,
                    "approvals come from people who did not write the change"));
        }
        for (String releaser : releasers) {
            if (Identities.matches(approver, Identities.forms(releaser))) {
                out.add(new Refusal(rules.releaser(), approver + " started or promotes the release of " + subject,
                        "the person who releases cannot approve their own release"));
                break;
            }
        }
        return out;
    }
}
