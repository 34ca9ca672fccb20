package io.releasegate.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.signing.OpenPgpSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * What an attestor (the Jenkins controller) checks before it signs an event an agent built: that the commit holds
 * exactly the event document it was shown, and that the document says what the controller itself knows — this
 * type, this release, this digest, this person (the user who submitted the input). Anything else is refused, so an
 * agent that asks for a signature cannot get one for an approval nobody gave.
 */
public final class EventAttestation {

    /** What the attestor knows happened: a person's event of {@code type} about {@code subject} at {@code digest}. */
    public record Expected(String type, String subject, Digest digest, String actor) {
        public Expected {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(actor, "actor");
            if (EventType.asserterOf(type) != EventType.Asserter.PERSON) {
                throw new IllegalArgumentException("an attestor vouches for a person's events, not '" + type + "'");
            }
        }
    }

    private EventAttestation() {
    }

    /** Refuses (an input error naming each difference) unless the commit and its document are what {@code expected} says. */
    public static void check(byte[] commitPayload, byte[] eventDocument, Expected expected) {
        RevCommit commit;
        try {
            commit = RevCommit.parse(commitPayload);
        } catch (RuntimeException e) {
            throw refused("the payload is not a git commit");
        }
        TreeFormatter tree = new TreeFormatter();
        ObjectInserter.Formatter ids = new ObjectInserter.Formatter();
        tree.append(GitLedger.EVENT_FILE, FileMode.REGULAR_FILE, ids.idFor(Constants.OBJ_BLOB, eventDocument));
        ObjectId expectedTree = ids.idFor(tree);
        if (!commit.getTree().getId().equals(expectedTree)) {
            throw refused("the commit's tree " + commit.getTree().getId().name() + " does not hold the event document shown ("
                    + expectedTree.name() + ")");
        }
        if (commit.getRawGpgSignature() != null) {
            throw refused("the payload is already signed");
        }
        JsonNode doc;
        try {
            doc = Json.mapper().readTree(eventDocument);
        } catch (IOException e) {
            throw refused("the event document is not JSON");
        }
        List<String> wrong = new ArrayList<>();
        compare(wrong, "schema", doc, Event.SCHEMA);
        compare(wrong, "type", doc, expected.type());
        compare(wrong, "subject", doc, expected.subject());
        compare(wrong, "digest", doc, expected.digest().toString());
        compare(wrong, "actor", doc, expected.actor());
        if (!expected.actor().equals(commit.getAuthorIdent().getName())) {
            wrong.add("the commit's author is '" + commit.getAuthorIdent().getName() + "', not '" + expected.actor() + "'");
        }
        if (!wrong.isEmpty()) {
            throw refused(String.join("; ", wrong));
        }
    }

    /** Checks, then signs {@code commitPayload} with the attestor's OpenPGP key: the armored signature, as git stores it. */
    public static byte[] attest(OpenPgpSigner key, byte[] commitPayload, byte[] eventDocument, Expected expected) {
        check(commitPayload, eventDocument, expected);
        return key.sign(commitPayload, new Date()).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Checks against whichever of {@code expected} has the document's type (one step may record several of a person's
     * events: an approval and the go decision it completes), then signs; a type none of them has is refused.
     */
    public static byte[] attest(OpenPgpSigner key, byte[] commitPayload, byte[] eventDocument, List<Expected> expected) {
        String type;
        try {
            type = Json.mapper().readTree(eventDocument).path("type").asText("");
        } catch (IOException e) {
            throw refused("the event document is not JSON");
        }
        Expected match = expected.stream().filter(e -> e.type().equals(type)).findFirst().orElseThrow(() -> refused(
                "its type is '" + type + "', and it vouches only for " + expected.stream().map(Expected::type).distinct().toList()));
        return attest(key, commitPayload, eventDocument, match);
    }

    private static void compare(List<String> wrong, String field, JsonNode doc, String expected) {
        String got = doc.path(field).asText(null);
        if (!expected.equals(got)) {
            wrong.add(field + " is " + (got == null ? "missing" : "'" + got + "'") + ", not '" + expected + "'");
        }
    }

    private static InputException refused(String why) {
        return new InputException("the attestor will not sign this event: " + why);
    }
}
