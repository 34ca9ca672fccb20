package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.error.ReleaseGateException;
import io.releasegate.json.Json;
import java.io.PrintWriter;

/** Writes a command's result as text or as one JSON document on stdout; failures likewise. */
final class CliOutput {

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;

    CliOutput(PrintWriter out, PrintWriter err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    boolean json() {
        return json;
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    void document(Object value) {
        out.print(Json.pretty(value));
        out.flush();
    }

    void failure(ReleaseGateException e) {
        if (json) {
            ObjectNode doc = Json.object();
            ObjectNode error = doc.putObject("error");
            error.put("kind", e instanceof RefusedException ? "refused" : "input");
            error.put("exitCode", e.exitCode());
            error.put("message", e.getMessage());
            if (e instanceof RefusedException r) {
                ArrayNode refusals = error.putArray("refusals");
                for (Refusal refusal : r.refusals()) {
                    refusals.addObject().put("rule", refusal.rule()).put("evidence", refusal.evidence())
                            .put("remedy", refusal.remedy());
                }
            }
            document(doc);
        } else {
            String kind = e instanceof RefusedException ? "refused" : "error";
            err.println("release-gate: " + kind + ": " + e.getMessage());
            err.flush();
        }
    }
}
