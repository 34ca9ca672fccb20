package io.releasegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of {@code release-gate} in this JVM: its exit code, standard output and standard error. */
record CliRun(int exit, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(exit, out.toString(), err.toString());
    }

    JsonNode json() throws Exception {
        return Json.mapper().readTree(out);
    }
}
