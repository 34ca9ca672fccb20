package io.releasegate.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An emergency change record: how a change goes out outside the change windows, and what must follow. */
public record EmergencyChange(String reason, String approver, String scope, String rollbackPlan, List<String> followUps) {

    public EmergencyChange {
        followUps = List.copyOf(followUps);
    }

    /** Reads a JSON record {@code {"reason", "approver", "scope", "rollbackPlan", "followUps": [..]}}. */
    public static EmergencyChange read(Path file) {
        try {
            JsonNode n = Json.mapper().readTree(Files.readAllBytes(file));
            List<String> follow = new ArrayList<>();
            n.path("followUps").forEach(f -> follow.add(f.asText()));
            for (var it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!List.of("reason", "approver", "scope", "rollbackPlan", "followUps").contains(f)) {
                    throw new InputException("emergency record " + file + ": unknown field '" + f + "'");
                }
            }
            return new EmergencyChange(n.path("reason").asText(""), n.path("approver").asText(""), n.path("scope").asText(""),
                    n.path("rollbackPlan").asText(""), follow);
        } catch (NoSuchFileException e) {
            throw new InputException("emergency record not found: " + file, e);
        } catch (IOException e) {
            throw new InputException("emergency record " + file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** The policy's required fields that are empty here. */
    public List<String> missing(List<String> required) {
        Map<String, Boolean> present = new TreeMap<>();
        present.put("reason", !reason.isBlank());
        present.put("approver", !approver.isBlank());
        present.put("scope", !scope.isBlank());
        present.put("rollbackPlan", !rollbackPlan.isBlank());
        present.put("followUps", followUps.stream().anyMatch(f -> !f.isBlank()));
        return required.stream().filter(r -> !present.getOrDefault(r, false)).toList();
    }
}
