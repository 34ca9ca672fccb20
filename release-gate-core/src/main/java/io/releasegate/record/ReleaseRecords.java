package io.releasegate.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Writes and strictly reads release records. Reading checks, in order: well-formed JSON, a known
 * {@code schema} identifier, the published JSON Schema (every violation listed with its JSON path),
 * then binding to {@link ReleaseRecord}. Writing validates too: we never emit a record that our own
 * schema rejects.
 */
public final class ReleaseRecords {

    private final JsonSchema schema;

    public ReleaseRecords() {
        try (InputStream in = ReleaseRecord.class.getResourceAsStream(ReleaseRecord.SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("release record schema missing from the classpath: "
                        + ReleaseRecord.SCHEMA_RESOURCE);
            }
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The refusal of a record whose events do not make a valid one. */
    public static final String MALFORMED = "record.malformed-events";

    /**
     * Pretty JSON of a record, validated against the schema first; refused ({@link #MALFORMED}) when the events it
     * was projected from do not make a valid record.
     */
    public String write(ReleaseRecord record) {
        JsonNode tree = Json.tree(record);
        List<String> errors = violations(tree);
        if (!errors.isEmpty()) {
            // the record is a projection of ledger events: an event lacking what the record requires (an approval
            // without its rationale, written past the steps) is a fact that cannot be shown as the ledger's
            throw new io.releasegate.error.RefusedException(new io.releasegate.error.Refusal(MALFORMED, "the ledger's events of "
                    + record.name() + "@" + record.version() + " do not make a valid release record: " + String.join("; ", errors),
                    "find the event that lacks the field (release-gate inspect " + record.name() + ":" + record.version()
                            + ", release-gate audit) and who wrote it past the steps"));
        }
        return Json.pretty(tree);
    }

    /** Parses a release record; any deviation from schema v1 is an {@link InputException} that says what and where. */
    public ReleaseRecord read(String json) {
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new InputException("release record is not valid JSON: " + e.getOriginalMessage()
                    + location(e), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new InputException("release record must be a JSON object");
        }
        JsonNode id = tree.get("schema");
        if (id == null || !id.isTextual()) {
            throw new InputException("release record has no 'schema' field; expected \"" + ReleaseRecord.SCHEMA + "\"");
        }
        if (!ReleaseRecord.SCHEMA.equals(id.asText())) {
            throw new InputException("unknown release record schema '" + id.asText() + "'; this version of "
                    + "release-gate reads " + ReleaseRecord.SCHEMA);
        }
        List<String> errors = violations(tree);
        if (!errors.isEmpty()) {
            throw new InputException("release record does not conform to " + ReleaseRecord.SCHEMA + ":\n  "
                    + String.join("\n  ", errors));
        }
        try {
            return Json.mapper().treeToValue(tree, ReleaseRecord.class);
        } catch (JsonProcessingException e) {
            throw new InputException("release record cannot be read: " + e.getOriginalMessage(), e);
        }
    }

    /** Schema violations of a JSON document, as "path: message" lines, sorted. */
    public List<String> violations(JsonNode document) {
        Set<ValidationMessage> messages = schema.validate(document);
        return messages.stream()
                .sorted(Comparator.comparing((ValidationMessage m) -> String.valueOf(m.getInstanceLocation()))
                        .thenComparing(ValidationMessage::getMessage))
                .map(ValidationMessage::getMessage)
                .toList();
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }
}
