package io.releasegate.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.commits.ForwardPort;
import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The hotfix commits of one repository not yet forward-ported to main and the newer release branches
 * ({@link ForwardPort}), for the delivery report and the audit: each with its hotfix tag, target and due time, and
 * whether it is overdue ({@code branches.forwardPortDays} after the tag). A history that cannot be judged is reported
 * as such ({@code error}), not a reason to withhold the rest.
 */
public record ForwardPortHealth(String repository, int days, List<ForwardPort.Missing> missing, Optional<String> error) {

    public ForwardPortHealth {
        missing = List.copyOf(missing);
    }

    public static ForwardPortHealth of(String repository, History history, int days, Clock clock) {
        try {
            return new ForwardPortHealth(repository, days, new ForwardPort(history).days(days).clock(clock).call().missing(),
                    Optional.empty());
        } catch (InputException e) {
            return new ForwardPortHealth(repository, days, List.of(), Optional.of(e.getMessage()));
        }
    }

    public List<ForwardPort.Missing> overdue() {
        return missing.stream().filter(ForwardPort.Missing::overdue).toList();
    }

    /** The report's {@code forwardPorts} section of these repositories. */
    public static ObjectNode json(List<ForwardPortHealth> repos) {
        ObjectNode n = Json.object();
        n.put("missing", repos.stream().mapToInt(r -> r.missing().size()).sum());
        n.put("overdue", repos.stream().mapToInt(r -> r.overdue().size()).sum());
        ArrayNode rs = n.putArray("repositories");
        for (ForwardPortHealth h : repos) {
            ObjectNode r = rs.addObject().put("repository", h.repository()).put("forwardPortDays", h.days());
            h.error().ifPresent(e -> r.put("error", e));
            ArrayNode ms = r.putArray("missing");
            for (ForwardPort.Missing m : h.missing()) {
                ms.addObject().put("hotfix", m.hotfixTag()).put("commit", m.commit()).put("subject", m.subject())
                        .put("target", m.target()).put("tagged", m.tagged().toString()).put("due", m.due().toString())
                        .put("overdue", m.overdue());
            }
        }
        return n;
    }
}
