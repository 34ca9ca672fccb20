package io.releasegate.steps;

import io.releasegate.error.InputException;
import io.releasegate.report.DeliveryReport;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#report}.
 *
 * @param from       the first month ({@code month} or {@code from}, {@code YYYY-MM}); empty: the oldest event's
 * @param to         the last month ({@code month} or {@code to}); empty: the newest event's
 * @param out        the workspace directory that receives {@code report.json} and {@code report.html} (default
 *                   {@code release-gate-report})
 * @param hotfixDays the hotfix window in days (default 7)
 * @param repos      git repositories (workspace paths) whose history gives the first-commit time of releases built from
 *                   them (default: the workspace, when it is one)
 */
public record ReportArgs(Optional<YearMonth> from, Optional<YearMonth> to, String out, int hotfixDays, List<String> repos,
                         String store, String ledger) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("month", "from", "to", "out", "hotfixDays", "repos", "store", "ledger");

    public ReportArgs {
        repos = List.copyOf(repos);
    }

    public static ReportArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("report", map, KEYS);
        Optional<String> month = a.nonBlank("month");
        if (month.isPresent() && (a.nonBlank("from").isPresent() || a.nonBlank("to").isPresent())) {
            throw new InputException("report: give month, or from and to, not both");
        }
        Optional<YearMonth> from = month.or(() -> a.nonBlank("from")).map(m -> DeliveryReport.parseMonth(m, "report: "
                + (month.isPresent() ? "month" : "from")));
        Optional<YearMonth> to = month.isPresent() ? from : a.nonBlank("to").map(m -> DeliveryReport.parseMonth(m, "report: to"));
        if (from.isPresent() && to.isPresent() && to.get().isBefore(from.get())) {
            throw new InputException("report: to (" + to.get() + ") is before from (" + from.get() + ")");
        }
        int days;
        try {
            days = Integer.parseInt(a.text("hotfixDays", "7").trim());
        } catch (NumberFormatException e) {
            throw new InputException("report: hotfixDays must be a whole number of days, not '" + a.text("hotfixDays", "") + "'");
        }
        if (days < 0) {
            throw new InputException("report: hotfixDays must be 0 or more, not " + days);
        }
        return new ReportArgs(from, to, a.text("out", "release-gate-report"), days, a.paths("repos"), a.text("store", ""),
                a.text("ledger", ""));
    }
}
