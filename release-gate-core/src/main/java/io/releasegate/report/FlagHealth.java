package io.releasegate.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.scope.FlagRegistry;
import io.releasegate.scope.FlagScan;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The feature flags of one repository past their removal date (the last recorded deviation's), for the delivery
 * report: the registry as the repository's {@code HEAD} commit has it. A registry that cannot be read is reported as
 * such ({@code error}), not a reason to withhold the rest of the report.
 */
public record FlagHealth(String repository, String commit, String registry, boolean present, List<FlagRegistry.Flag> overdue,
                         Optional<String> error, LocalDate today) {

    public FlagHealth {
        overdue = List.copyOf(overdue);
    }

    /** The flags past their removal date on {@code today} in the registry at {@code registryPath} of {@code history}'s HEAD. */
    public static FlagHealth of(String repository, History history, String registryPath, LocalDate today) {
        String head = history.resolve("HEAD").name();
        try {
            FlagRegistry r = new FlagScan(history.repository()).registry(registryPath).registryAt(head);
            boolean present = history.repository().resolve(head + ":" + registryPath) != null;
            return new FlagHealth(repository, head, registryPath, present, r.flags().stream().filter(f -> f.overdue(today)).toList(),
                    Optional.empty(), today);
        } catch (InputException e) {
            return new FlagHealth(repository, head, registryPath, true, List.of(), Optional.of(e.getMessage()), today);
        } catch (java.io.IOException e) {
            return new FlagHealth(repository, head, registryPath, false, List.of(), Optional.of(e.getMessage()), today);
        }
    }

    /** The report's {@code flags} section of these repositories. */
    public static ObjectNode json(List<FlagHealth> repos) {
        ObjectNode n = Json.object();
        n.put("overdue", repos.stream().mapToInt(r -> r.overdue().size()).sum());
        ArrayNode rs = n.putArray("repositories");
        for (FlagHealth h : repos) {
            ObjectNode r = rs.addObject().put("repository", h.repository()).put("commit", h.commit()).put("registry", h.registry())
                    .put("present", h.present());
            h.error().ifPresent(e -> r.put("error", e));
            ArrayNode fs = r.putArray("overdue");
            for (FlagRegistry.Flag f : h.overdue()) {
                LocalDate due = f.effectiveRemoval().orElseThrow();
                fs.addObject().put("name", f.name()).put("owner", f.owner().orElse("")).put("escalation", f.escalation())
                        .put("state", f.state().wire()).put("removal", due.toString())
                        .put("daysOverdue", ChronoUnit.DAYS.between(due, h.today())).put("deviations", f.deviations().size());
            }
        }
        return n;
    }
}
