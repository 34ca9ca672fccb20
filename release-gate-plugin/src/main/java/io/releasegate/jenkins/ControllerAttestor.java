package io.releasegate.jenkins;

import hudson.model.TaskListener;
import io.releasegate.error.InputException;
import io.releasegate.ledger.EventAttestation;
import io.releasegate.ledger.EventSigner;
import io.releasegate.signing.OpenPgpSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

/**
 * The controller's side of an attested approval. The agent that builds a person's event (an approval, a decision, an
 * emergency approval) cannot sign it: it holds no key a reader believes for it. It hands the commit and its
 * {@code event.json} to this object, exported to it over the build's channel; this object runs on the controller,
 * checks that the document is exactly what the controller itself saw — the user who submitted the input, this
 * release, this digest ({@link EventAttestation}) — and only then signs with the attestor key, which never leaves the
 * controller. Anything else is refused and the agent appends nothing.
 */
final class ControllerAttestor implements EventSigner.Attestor {

    private final byte[] armoredKey;
    private final char[] passphrase;
    private final List<EventAttestation.Expected> expected;
    private final TaskListener listener;
    /** The key, read on the first attestation of this call (an approval may be followed by the decision it completes). */
    private OpenPgpSigner key;

    ControllerAttestor(ArmoredKey key, List<EventAttestation.Expected> expected, TaskListener listener) {
        this.armoredKey = key.armored().clone();
        this.passphrase = key.passphrase().clone();
        this.expected = List.copyOf(expected);
        this.listener = listener;
    }

    @Override
    public byte[] attest(byte[] commitPayload, byte[] eventDocument) {
        try {
            byte[] signature = EventAttestation.attest(key(), commitPayload, eventDocument, expected);
            listener.getLogger().println("[release-gate] the controller attested " + describe());
            return signature;
        } catch (InputException e) {
            listener.getLogger().println("[release-gate] the controller refused to attest: " + e.getMessage());
            throw e;
        }
    }

    private String describe() {
        return expected.stream().map(e -> e.type() + " by " + e.actor()).distinct().reduce((a, b) -> a + " or " + b).orElse("")
                + " of " + expected.get(0).subject() + " at " + expected.get(0).digest();
    }

    /** The attestor key, read once from an owner-only file on the controller that exists only while it is read. */
    private synchronized OpenPgpSigner key() {
        if (key != null) {
            return key;
        }
        Path file = null;
        try {
            file = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempFile("release-gate-attestor", ".asc",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile("release-gate-attestor", ".asc");
            Files.write(file, armoredKey);
            key = OpenPgpSigner.fromArmoredSecretKey(file, passphrase);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the controller's attestor key", e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file of the controller's; the JVM's temp cleanup removes it
                }
            }
        }
    }

    /** Forgets the key material once the call that needed it is over. */
    synchronized void close() {
        key = null;
        Arrays.fill(armoredKey, (byte) 0);
        Arrays.fill(passphrase, '\0');
    }

    @Override
    public String toString() {
        return "ControllerAttestor[" + describe() + ", key ****]";
    }
}
