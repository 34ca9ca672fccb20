package io.releasegate.steps;

import io.releasegate.ledger.Event;
import io.releasegate.verify.ReleaseAudit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link PipelineSteps#audit} found about one release: who built and approved it, where it went, and each finding
 * (events of the release that are not believed, and what no longer verifies against the store). An audit refuses
 * nothing: the pipeline decides what a finding does to the build.
 */
public record AuditResult(ReleaseAudit.Report report, List<ReleaseAudit.Finding> findings, boolean authorsChecked)
        implements StepResult {

    public AuditResult {
        Objects.requireNonNull(report, "report");
        findings = List.copyOf(findings);
    }

    /**
     * {@code release, digest, builtBy, commit, approvals: [{approver, role, digest}], promotions: [{environment, digest,
     * time}], findings: [{rule, message}], authorsChecked, ok}.
     */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        Event built = report.built();
        out.put("release", report.release());
        out.put("digest", built.digest().map(Object::toString).orElse(""));
        out.put("builtBy", built.actor());
        out.put("commit", built.text("commit").orElse(""));
        List<Map<String, Object>> approvals = new ArrayList<>();
        for (Event a : report.approvals()) {
            approvals.add(entries("approver", a.actor(), "role", a.text("role").orElse(""), "digest",
                    a.digest().map(Object::toString).orElse("")));
        }
        out.put("approvals", approvals);
        List<Map<String, Object>> promotions = new ArrayList<>();
        for (Event p : report.promotions()) {
            promotions.add(entries("environment", p.text("environment").orElse(""), "digest",
                    p.digest().map(Object::toString).orElse(""), "time", p.time().toString()));
        }
        out.put("promotions", promotions);
        List<Map<String, Object>> found = new ArrayList<>();
        for (ReleaseAudit.Finding f : findings) {
            found.add(entries("rule", f.rule(), "message", f.message()));
        }
        out.put("findings", found);
        out.put("authorsChecked", authorsChecked);
        out.put("ok", findings.isEmpty());
        return out;
    }

    private static Map<String, Object> entries(String... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
