package io.releasegate.steps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What {@link PipelineSteps#report} wrote, with the headline figures of the whole period. */
public record ReportResult(Path json, Path html, ObjectNode report) implements StepResult {

    public ReportResult {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(html, "html");
        report = report.deepCopy();
    }

    @Override
    public ObjectNode report() {
        return report.deepCopy();
    }

    /**
     * {@code json, html} (the files' paths), {@code from, to} (months), {@code deployments, changeFailureRate,
     * leadTimeMedianSeconds, timeToRestoreMedianSeconds, ciPassRateMain} (null where nothing was measured),
     * {@code services} (their number).
     */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("json", json.toString());
        out.put("html", html.toString());
        out.put("from", report.at("/period/from").asText());
        out.put("to", report.at("/period/to").asText());
        JsonNode o = report.path("overall");
        out.put("deployments", o.at("/deploymentFrequency/deployments").asInt());
        out.put("changeFailureRate", number(o.at("/changeFailureRate/rate")));
        out.put("leadTimeMedianSeconds", number(o.at("/leadTime/medianSeconds")));
        out.put("timeToRestoreMedianSeconds", number(o.at("/timeToRestore/medianSeconds")));
        out.put("ciPassRateMain", number(o.at("/ci/main/rate")));
        out.put("services", report.path("services").size());
        return out;
    }

    private static Object number(JsonNode n) {
        if (n.isNull() || n.isMissingNode()) {
            return null;
        }
        return n.isIntegralNumber() ? (Object) n.asLong() : (Object) n.asDouble();
    }
}
