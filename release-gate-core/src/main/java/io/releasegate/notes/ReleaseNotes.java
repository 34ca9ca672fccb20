package io.releasegate.notes;

import io.releasegate.changelog.Changelog;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.record.ReleaseRecord;
import io.releasegate.scope.FlagScan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Release notes: the policy's Markdown template filled from the release record and the changelog.
 * The template declares its required fields on its first line ({@code <!-- required: a, b -->});
 * a required field that is empty stops the notes, naming the field (rule
 * {@code release-notes.required-field}). Placeholders are {@code {{field}}}; an unknown one is an error.
 */
public final class ReleaseNotes {

    public static final String DEFAULT_TEMPLATE = "/io/releasegate/templates/release-notes.md";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Za-z]+)}}");
    private static final Pattern REQUIRED = Pattern.compile("^<!--\\s*required:\\s*([A-Za-z, ]*)-->\\s*\\n");
    /** Fields that are whole sections, heading included: left out when empty rather than "None recorded.". */
    private static final Set<String> SECTIONS = Set.of("featureFlags");

    private final ReleaseRecord record;
    private Changelog.Result changelog;
    private String template;
    private Optional<String> summary = Optional.empty();
    private Optional<String> risks = Optional.empty();
    private Optional<String> rollbackPlan = Optional.empty();
    private LocalDate date = LocalDate.now(java.time.ZoneOffset.UTC);
    private List<FlagScan.Change> flagChanges = List.of();

    public ReleaseNotes(ReleaseRecord record) {
        this.record = Objects.requireNonNull(record, "record");
        this.template = defaultTemplate();
    }

    public static String defaultTemplate() {
        try (InputStream in = ReleaseNotes.class.getResourceAsStream(DEFAULT_TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException("release notes template missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public ReleaseNotes changelog(Changelog.Result value) {
        this.changelog = value;
        return this;
    }

    public ReleaseNotes template(String value) {
        this.template = Objects.requireNonNull(value);
        return this;
    }

    public ReleaseNotes summary(Optional<String> value) {
        this.summary = value.filter(s -> !s.isBlank());
        return this;
    }

    /** Risks and mitigations; when empty, the {@code Risk:} trailers of the release's commits are used. */
    public ReleaseNotes risks(Optional<String> value) {
        this.risks = value.filter(s -> !s.isBlank());
        return this;
    }

    /** A rollback plan in words, needed when there is no earlier known-good release to go back to. */
    public ReleaseNotes rollbackPlan(Optional<String> value) {
        this.rollbackPlan = value.filter(s -> !s.isBlank());
        return this;
    }

    /** The feature-flag registry's changes in the release's range ({@link FlagScan#changes()}), oldest first. */
    public ReleaseNotes flagChanges(List<FlagScan.Change> value) {
        this.flagChanges = List.copyOf(value);
        return this;
    }

    public ReleaseNotes date(LocalDate value) {
        this.date = Objects.requireNonNull(value);
        return this;
    }

    public String render() {
        Set<String> required = new TreeSet<>();
        String body = template;
        Matcher req = REQUIRED.matcher(body);
        if (req.find()) {
            for (String f : req.group(1).split(",")) {
                if (!f.isBlank()) {
                    required.add(f.trim());
                }
            }
            body = body.substring(req.end());
        }
        Map<String, String> fields = fields();
        List<String> empty = new ArrayList<>();
        for (String f : required) {
            if (!fields.containsKey(f)) {
                throw new InputException("release notes template requires unknown field '" + f + "'; known: " + fields.keySet());
            }
            if (fields.get(f).isBlank()) {
                empty.add(f);
            }
        }
        if (!empty.isEmpty()) {
            throw new RefusedException(empty.stream().map(f -> new Refusal("release-notes.required-field",
                    "required field '" + f + "' of the release notes of " + record.name() + "@" + record.version() + " is empty",
                    remedy(f))).toList());
        }
        Matcher m = PLACEHOLDER.matcher(body);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = fields.get(m.group(1));
            if (value == null) {
                throw new InputException("release notes template uses unknown field {{" + m.group(1) + "}}; known: " + fields.keySet());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value.isBlank() && !SECTIONS.contains(m.group(1)) ? "None recorded." : value));
        }
        m.appendTail(out);
        return out.toString().replaceAll("\n{3,}", "\n\n").strip() + "\n";
    }

    /** The dependency changes gate deps recorded: against which release, each change, and the lockfiles changed. */
    static String dependencies(ReleaseRecord.DependencyChanges d) {
        List<String> lines = new ArrayList<>();
        d.baseline().ifPresent(b -> lines.add("Compared with " + b + " (`" + d.baselineDigest().orElse("?") + "`)."));
        d.notes().forEach(lines::add);
        if (!lines.isEmpty()) {
            lines.add("");
        }
        for (ReleaseRecord.DependencyChange c : d.changes()) {
            String versions = switch (c.kind()) {
                case "added" -> c.to().orElse("");
                case "removed" -> c.from().orElse("");
                case "relicensed" -> c.to().orElse("");
                default -> c.from().orElse("") + " → " + c.to().orElse("");
            };
            lines.add("- " + c.kind() + " " + c.name() + " " + versions + c.license().map(l -> " (" + l + ")").orElse(""));
        }
        d.newLicenses().forEach(l -> lines.add("- new license " + l));
        if (d.changes().isEmpty() && d.newLicenses().isEmpty() && d.baseline().isPresent()) {
            lines.add("- no component changed");
        }
        if (!d.lockfiles().isEmpty()) {
            lines.add("");
            lines.add("Lockfiles and dependency manifests changed: " + String.join(", ", d.lockfiles().stream()
                    .map(l -> "`" + l.path() + "` (" + l.change() + ", " + l.commits().size() + " commit(s))").toList()) + ".");
        }
        return String.join("\n", lines).strip();
    }

    private static String remedy(String field) {
        return switch (field) {
            case "summary" -> "give a summary (release-notes --summary TEXT)";
            case "risks" -> "state the risks and mitigations (--risks TEXT, or Risk: trailers in the commits)";
            case "rollback" -> "promote an earlier release to production first, or describe the plan (--rollback-plan TEXT)";
            case "artifacts" -> "publish the artifact with buildOnce";
            default -> "record the missing evidence for '" + field + "'";
        };
    }

    Map<String, String> fields() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("name", record.name());
        f.put("version", record.version());
        f.put("tag", record.source().tag().map(ReleaseRecord.Tag::name).orElse("v" + record.version()));
        f.put("date", date.toString());
        f.put("commit", record.source().commit().orElse("unknown"));
        f.put("summary", summary.orElse(""));
        f.put("highlights", changelog == null ? "" : bullets(changelog, "Added"));
        f.put("fixes", changelog == null ? "" : bullets(changelog, "Fixed"));
        f.put("breaking", changelog == null ? "" : String.join("\n", changelog.entries().stream().filter(Changelog.Entry::breaking)
                .flatMap(e -> e.breakingNotes().stream().map(n -> "- " + n + " (" + e.sha().substring(0, 7) + ")")).toList()));
        f.put("knownIssues", String.join("\n", record.knownIssues().stream().map(i -> "- " + i).toList()));
        f.put("risks", risks.orElseGet(this::riskTrailers));
        f.put("rollback", rollback());
        List<String> artifacts = new ArrayList<>();
        artifacts.add("- `" + record.artifact().reference() + "` `" + record.artifact().digest() + "` (in " + record.artifact().store() + ")");
        for (ReleaseRecord.Subject s : record.subjects()) {
            artifacts.add("  - `" + s.name() + "` `" + s.digest() + "`");
        }
        f.put("artifacts", String.join("\n", artifacts));
        List<String> evidence = new ArrayList<>();
        record.sboms().forEach(s -> evidence.add("- SBOM (" + s.format() + "): `" + s.digest() + "`" + s.reference().map(r -> " " + r).orElse("")));
        record.provenance().forEach(p -> evidence.add("- Provenance (" + p.predicateType() + "): `" + p.digest() + "`"));
        f.put("evidence", String.join("\n", evidence));
        f.put("dependencies", record.dependencyChanges().map(ReleaseNotes::dependencies).orElse(""));
        f.put("bypasses", String.join("\n", record.bypasses().stream().map(b -> "- gate `" + b.gate() + "` bypassed: requested by "
                + b.requester() + ", approved by " + b.approver() + ", remediation by " + b.remediation()
                + b.ticket().map(t -> ", ticket " + t).orElse("") + ": " + b.rationale() + " (request `" + b.request()
                + "`, approval `" + b.approval() + "`, gate decision `" + b.event() + "`)").toList()));
        f.put("quarantines", String.join("\n", record.quarantines().stream().map(q -> "- test `" + q.test() + "` of "
                + q.service() + " quarantined until " + q.until() + ", ticket " + q.ticket() + ", by " + q.actor() + ": "
                + q.reason() + " (quarantine `" + q.quarantine() + "`, gate decision `" + q.event() + "`)").toList()));
        List<String> exempted = new ArrayList<>();
        if (!f.get("bypasses").isBlank()) {
            exempted.add("Gate bypasses:\n\n" + f.get("bypasses"));
        }
        if (!f.get("quarantines").isBlank()) {
            exempted.add("Quarantined tests:\n\n" + f.get("quarantines"));
        }
        f.put("bypassesAndQuarantines", String.join("\n\n", exempted));
        f.put("approvals", String.join("\n", record.approvals().stream().map(a -> "- " + a.approver() + " (" + a.role() + "), "
                + a.time() + ": " + a.rationale()).toList()));
        f.put("promotions", String.join("\n", record.promotions().stream().map(p -> "- " + p.environment() + ": `" + p.digest()
                + "` by " + p.actor() + " at " + p.time() + (p.rollback() ? " (rollback)" : "")).toList()));
        f.put("featureFlags", flagChanges.isEmpty() ? "" : "## Feature flags\n\n" + String.join("\n", flagChanges.stream()
                .map(c -> "- " + (c.flag().isEmpty() ? "" : "`" + c.flag() + "` ") + c.what() + ": " + c.author() + ", "
                        + c.time().atOffset(java.time.ZoneOffset.UTC).toLocalDate() + ", `" + c.shortId() + "` " + c.subject())
                .toList()));
        List<String> both = new ArrayList<>();
        if (!f.get("approvals").isBlank()) {
            both.add("Approvals:\n\n" + f.get("approvals"));
        }
        if (!f.get("promotions").isBlank()) {
            both.add("Promotions:\n\n" + f.get("promotions"));
        }
        f.put("approvalsAndPromotions", String.join("\n\n", both));
        return f;
    }

    private String rollback() {
        List<String> lines = new ArrayList<>();
        record.rollback().lastKnownGood().ifPresent(k -> lines.add("Promote the last known-good release " + k.version()
                + " (`" + k.digest() + "`) to production; never rebuild."));
        record.rollback().plan().ifPresent(lines::add);
        rollbackPlan.ifPresent(lines::add);
        return String.join("\n\n", lines);
    }

    private String riskTrailers() {
        if (changelog == null) {
            return "";
        }
        return String.join("\n", changelog.entries().stream()
                .flatMap(e -> e.risks().stream().map(r -> "- " + r + " (" + e.description() + ", " + e.sha().substring(0, 7) + ")"))
                .toList());
    }

    private static String bullets(Changelog.Result cl, String section) {
        return String.join("\n", cl.entries().stream().filter(e -> e.section().equals(section))
                .map(e -> "- " + e.scope().map(s -> "**" + s + ":** ").orElse("") + e.description()
                        + e.pullRequest().map(pr -> " (#" + pr + ")").orElse(""))
                .toList());
    }
}
