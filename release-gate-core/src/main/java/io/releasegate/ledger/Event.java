package io.releasegate.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One fact in the ledger: what happened ({@code type}, e.g. {@code built}), to which release
 * ({@code subject}, {@code name@version}), to which artifact digest, who did it, when, and the
 * evidence ({@code payload}, a JSON object). {@code id} is the ledger commit that holds it, empty
 * for an event not yet appended.
 */
public record Event(String id, String type, String subject, Optional<Digest> digest, String actor,
                    Instant time, ObjectNode payload) {

    /** Schema identifier written into every event document. */
    public static final String SCHEMA = "https://releasegate.io/schemas/event/v1";

    public Event {
        Objects.requireNonNull(id, "id");
        requireText(type, "type");
        requireText(subject, "subject");
        Objects.requireNonNull(digest, "digest");
        requireText(actor, "actor");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(payload, "payload");
        payload = payload.deepCopy();
        if (!type.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("event type must be lowercase words joined by '-': " + type);
        }
    }

    /** An event to append; the ledger assigns the id. */
    public static Event draft(String type, String subject, Optional<Digest> digest, String actor, Instant time,
                              ObjectNode payload) {
        return new Event("", type, subject, digest, actor, time, payload);
    }

    public Event withId(String newId) {
        return new Event(newId, type, subject, digest, actor, time, payload);
    }

    @Override
    public ObjectNode payload() {
        return payload.deepCopy();
    }

    /** A payload field as text, empty when absent. */
    public Optional<String> text(String field) {
        JsonNode n = payload.get(field);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("event " + name + " is required");
        }
    }
}
