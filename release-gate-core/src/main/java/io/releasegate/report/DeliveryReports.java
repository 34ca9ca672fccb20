package io.releasegate.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.files.AtomicFile;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.verify.ReleaseAudit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The delivery report of a ledger, as the CLI and the pipeline step make it: the believed events read once, the period
 * resolved, the report computed, and {@code report.json} and {@code report.html} written whole into a directory.
 *
 * <pre>{@code
 * ObjectNode doc = new DeliveryReports(ledger).months(Optional.of(march), Optional.of(march)).commits(CommitTimes.of(histories)).call();
 * DeliveryReports.write(outDir, doc);
 * }</pre>
 */
public final class DeliveryReports {

    public static final String JSON_FILE = "report.json";
    public static final String HTML_FILE = "report.html";

    private final Ledger ledger;
    private Optional<YearMonth> from = Optional.empty();
    private Optional<YearMonth> to = Optional.empty();
    private String production = "production";
    private Optional<String> preProduction = Optional.of("staging");
    private int hotfixDays = 7;
    private CommitTimes commits = CommitTimes.none();
    private Clock clock = Clock.systemUTC();
    private List<FlagHealth> flags = List.of();
    private List<ForwardPortHealth> forwardPorts = List.of();

    public DeliveryReports(Ledger ledger) {
        this.ledger = Objects.requireNonNull(ledger);
    }

    /** The first and last month; either missing: the month of the oldest (newest) believed event, or the current one. */
    public DeliveryReports months(Optional<YearMonth> first, Optional<YearMonth> last) {
        this.from = Objects.requireNonNull(first);
        this.to = Objects.requireNonNull(last);
        return this;
    }

    /** The production environment and the one before it (the policy's last two environments). */
    public DeliveryReports environments(String prod, Optional<String> before) {
        this.production = Objects.requireNonNull(prod);
        this.preProduction = Objects.requireNonNull(before);
        return this;
    }

    /** The environments of {@code policy}: its last is production, the one before it (if any) pre-production. */
    public DeliveryReports environments(io.releasegate.policy.Policy policy) {
        List<io.releasegate.policy.Policy.Environment> envs = policy.environments();
        return environments(envs.get(envs.size() - 1).name(),
                envs.size() > 1 ? Optional.of(envs.get(envs.size() - 2).name()) : Optional.empty());
    }

    public DeliveryReports hotfixDays(int days) {
        this.hotfixDays = days;
        return this;
    }

    public DeliveryReports commits(CommitTimes value) {
        this.commits = Objects.requireNonNull(value);
        return this;
    }

    /** The repositories' hotfix commits not yet forward-ported: the report's {@code forwardPorts} section (left out when none). */
    public DeliveryReports forwardPorts(List<ForwardPortHealth> value) {
        this.forwardPorts = List.copyOf(value);
        return this;
    }

    /** The repositories' feature flags past their removal date: the report's {@code flags} section (left out when there are none). */
    public DeliveryReports flags(List<FlagHealth> value) {
        this.flags = List.copyOf(value);
        return this;
    }

    public DeliveryReports clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    /** The report document, with where the ledger is and how many of its events were left out as not believed. */
    public ObjectNode call() {
        List<Ledger.Entry> entries = ledger.entries();
        List<Event> believed = ReleaseAudit.believed(entries);
        DeliveryReport.Options span = DeliveryReport.span(believed, clock);
        YearMonth first = from.orElse(to.filter(t -> t.isBefore(span.from())).orElse(span.from()));
        YearMonth last = to.orElse(from.filter(f -> f.isAfter(span.to())).orElse(span.to()));
        DeliveryReport.Options options = new DeliveryReport.Options(first, last, production, preProduction, hotfixDays);
        Instant now = clock.instant();
        ObjectNode doc = DeliveryReport.of(believed, options, commits).json(now);
        ObjectNode where = doc.putObject("ledger").put("location", ledger.location());
        if (!entries.isEmpty()) {
            where.put("head", entries.get(entries.size() - 1).event().id());
        }
        where.put("believed", believed.size()).put("notBelieved", entries.size() - believed.size());
        if (!flags.isEmpty()) {
            doc.set("flags", FlagHealth.json(flags));
        }
        if (!forwardPorts.isEmpty()) {
            doc.set("forwardPorts", ForwardPortHealth.json(forwardPorts));
        }
        return doc;
    }

    /** Where the two files were written. */
    public record Written(Path json, Path html) {
    }

    /**
     * Writes {@code report.json} and {@code report.html} of {@code doc} into {@code dir} (created when missing): both are
     * rendered first, then each is written whole (a temporary file moved into place), so a failure leaves no half file.
     */
    public static Written write(Path dir, ObjectNode doc) {
        byte[] json = (Json.pretty(doc) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] html = ReportHtml.withEcharts().render(doc).getBytes(StandardCharsets.UTF_8);
        Path j = AtomicFile.write(dir.resolve(JSON_FILE), json);
        Path h = AtomicFile.write(dir.resolve(HTML_FILE), html);
        return new Written(j, h);
    }
}
