package io.releasegate.ledger;

import io.releasegate.error.InputException;
import io.releasegate.signing.OpenPgpSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Date;
import java.util.Objects;
import org.eclipse.jgit.api.errors.CanceledException;
import org.eclipse.jgit.api.errors.UnsupportedSigningFormatException;
import org.eclipse.jgit.errors.UnsupportedCredentialItem;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.Signer;
import org.eclipse.jgit.lib.Signers;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;

/**
 * Signs ledger commits the way git does ({@code git commit -S}): the signature over the commit's bytes
 * goes into its {@code gpgsig} header, so that {@code git log --show-signature} and {@code git verify-commit}
 * check it with no tool of ours. OpenPGP keys (an armored secret key, as {@code gpg --armor
 * --export-secret-keys} writes it) are used through BouncyCastle; SSH keys (an OpenSSH private key file, as
 * {@code ssh-keygen} writes it; {@code gpg.format=ssh}) through JGit's SSH signer.
 */
public sealed interface EventSigner permits EventSigner.OpenPgp, EventSigner.Ssh, EventSigner.Delegated, EventSigner.Split {

    /** The signature over {@code payload} (the commit without its signature), as git stores it. */
    GpgSignature sign(Repository repo, byte[] payload, PersonIdent committer);

    /**
     * The signature over the commit {@code payload} that holds {@code eventDocument} as its {@code event.json}: what
     * the ledger asks for each event. A key signs the payload; a {@link Delegated} signer also hands over the
     * document, so that whoever holds the key can check what it signs.
     */
    default GpgSignature signEvent(Repository repo, byte[] payload, PersonIdent committer, byte[] eventDocument) {
        return sign(repo, payload, committer);
    }

    /** What signs, for messages: the key's kind and file, never its material. */
    String describe();

    /**
     * The key in {@code file}: an armored OpenPGP secret key or an OpenSSH private key; {@code passphrase}
     * unlocks it when it is protected (empty otherwise).
     */
    static EventSigner fromFile(Path file, char[] passphrase) {
        String head;
        try {
            byte[] bytes = Files.readAllBytes(file);
            head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new InputException("event signing key not found: " + file, e);
        } catch (IOException e) {
            throw new InputException("cannot read event signing key " + file + ": " + e.getMessage(), e);
        }
        if (head.contains("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
            return new OpenPgp(OpenPgpSigner.fromArmoredSecretKey(file, passphrase), file);
        }
        if (head.contains("-----BEGIN OPENSSH PRIVATE KEY-----")) {
            return new Ssh(file.toAbsolutePath(), passphrase.clone());
        }
        throw new InputException(file + " is neither an armored OpenPGP secret key nor an OpenSSH private key; "
                + "give one of those to sign ledger events");
    }

    /** An OpenPGP key. */
    record OpenPgp(OpenPgpSigner signer, Path file) implements EventSigner {
        public OpenPgp {
            Objects.requireNonNull(signer, "signer");
        }

        @Override
        public GpgSignature sign(Repository repo, byte[] payload, PersonIdent committer) {
            // made now (a key may be younger than the event's time, which is the caller's)
            String armored = signer.sign(payload, new Date());
            return new GpgSignature(armored.getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public String describe() {
            return "OpenPGP key " + signer.fingerprint() + " (" + file + ")";
        }
    }

    /** An OpenSSH private key file. */
    record Ssh(Path file, char[] passphrase) implements EventSigner {
        @Override
        public GpgSignature sign(Repository repo, byte[] payload, PersonIdent committer) {
            Config c = new Config();
            c.setString("gpg", null, "format", "ssh");
            c.setString("user", null, "signingKey", file.toString());
            Signer ssh = Signers.get(GpgConfig.GpgFormat.SSH);
            if (ssh == null) {
                throw new InputException("SSH signing is not available in this installation");
            }
            try {
                return ssh.sign(repo, new GpgConfig(c), payload, committer, file.toString(), new Passphrase(passphrase));
            } catch (CanceledException | IOException | UnsupportedSigningFormatException | RuntimeException e) {
                throw new InputException("cannot sign the ledger event with the SSH key " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String describe() {
            return "SSH key " + file;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ssh s && s.file.equals(file) && Arrays.equals(s.passphrase, passphrase);
        }

        @Override
        public int hashCode() {
            return file.hashCode();
        }

        @Override
        public String toString() {
            return "Ssh[" + file + "]";
        }
    }

    /**
     * A key held elsewhere: the Jenkins controller's attestor key, which signs that user U submitted input I for
     * digest D, while the agent that builds the event never holds it. {@link Attestor} receives the commit payload and
     * the event document, checks them ({@link EventAttestation}) and returns the armored signature.
     */
    record Delegated(Attestor attestor, String description) implements EventSigner {
        public Delegated {
            Objects.requireNonNull(attestor, "attestor");
            Objects.requireNonNull(description, "description");
        }

        @Override
        public GpgSignature sign(Repository repo, byte[] payload, PersonIdent committer) {
            throw new InputException(description + " signs only ledger events it can check, with their document");
        }

        @Override
        public GpgSignature signEvent(Repository repo, byte[] payload, PersonIdent committer, byte[] eventDocument) {
            return new GpgSignature(attestor.attest(payload.clone(), eventDocument.clone()));
        }

        @Override
        public String describe() {
            return description;
        }
    }

    /**
     * Two keys, one step: the pipeline's events (and the ledger's checkpoints) signed by {@code pipeline}, a person's events
     * ({@link EventType.Asserter#PERSON}: an approval, a decision, an emergency approval) by {@code persons} — in Jenkins the
     * CI credential on the agent and the controller's attestor for the user who submitted the input.
     */
    record Split(EventSigner pipeline, Delegated persons) implements EventSigner {
        public Split {
            Objects.requireNonNull(pipeline, "pipeline");
            Objects.requireNonNull(persons, "persons");
        }

        @Override
        public GpgSignature sign(Repository repo, byte[] payload, PersonIdent committer) {
            return pipeline.sign(repo, payload, committer);
        }

        @Override
        public GpgSignature signEvent(Repository repo, byte[] payload, PersonIdent committer, byte[] eventDocument) {
            return EventType.asserterOf(typeOf(eventDocument)) == EventType.Asserter.PERSON
                    ? persons.signEvent(repo, payload, committer, eventDocument)
                    : pipeline.signEvent(repo, payload, committer, eventDocument);
        }

        private static String typeOf(byte[] eventDocument) {
            try {
                return io.releasegate.json.Json.mapper().readTree(eventDocument).path("type").asText("");
            } catch (IOException e) {
                throw new IllegalStateException("the ledger built an event document that is not JSON", e);
            }
        }

        @Override
        public String describe() {
            return pipeline.describe() + "; for a person's events " + persons.describe();
        }
    }

    /** Signs an event commit after checking it; refuses (an input error) what it will not vouch for. */
    @FunctionalInterface
    interface Attestor {
        /** The armored signature over {@code commitPayload}, whose {@code event.json} is {@code eventDocument}. */
        byte[] attest(byte[] commitPayload, byte[] eventDocument);
    }

    /** Answers the key's passphrase prompt, and nothing else. */
    final class Passphrase extends CredentialsProvider {
        private final char[] value;

        Passphrase(char[] value) {
            this.value = value.clone();
        }

        @Override
        public boolean isInteractive() {
            return false;
        }

        @Override
        public boolean supports(CredentialItem... items) {
            return Arrays.stream(items).allMatch(i -> i instanceof CredentialItem.Password
                    || i instanceof CredentialItem.InformationalMessage);
        }

        @Override
        public boolean get(URIish uri, CredentialItem... items) throws UnsupportedCredentialItem {
            for (CredentialItem i : items) {
                if (i instanceof CredentialItem.Password p) {
                    if (value.length == 0) {
                        return false;
                    }
                    p.setValue(value.clone());
                } else if (!(i instanceof CredentialItem.InformationalMessage)) {
                    throw new UnsupportedCredentialItem(uri, i.getPromptText());
                }
            }
            return true;
        }
    }
}
