package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.SignatureVerifier;
import org.eclipse.jgit.lib.SignatureVerifiers;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;

/**
 * Verifies signed annotated git tags: OpenPGP signatures (ours and those of {@code git tag -s}) against a
 * keyring (an armored public key file or a keyring export) with BouncyCastle, and SSH signatures
 * ({@code gpg.format=ssh}) against an OpenSSH allowed-signers file with JGit's SSH signature verifier,
 * which matches the tagger's e-mail against the principals, honours {@code namespaces}, {@code valid-after},
 * {@code valid-before} and {@code cert-authority}. Fails closed, naming the check: not an annotated tag,
 * unsigned, a signature format no trust anchor was given for, unknown signer, or a signature that does not
 * match the tag's bytes.
 */
public final class TagVerifier {

    private static final byte[] BEGIN = "-----BEGIN PGP SIGNATURE-----".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BEGIN_SSH = "-----BEGIN SSH SIGNATURE-----".getBytes(StandardCharsets.US_ASCII);

    /** The verified tag: its name, the commit it names, and the signer's fingerprint. */
    public record Verified(String tag, String object, String signer) {
    }

    private final Optional<PGPPublicKeyRingCollection> keyring;
    private final Optional<Path> allowedSigners;

    private TagVerifier(Optional<PGPPublicKeyRingCollection> keyring, Optional<Path> allowedSigners) {
        this.keyring = keyring;
        this.allowedSigners = allowedSigners;
    }

    /** Verifies OpenPGP-signed tags only. */
    public static TagVerifier withKeyring(Path file) {
        return of(Optional.of(file), Optional.empty());
    }

    /**
     * Verifies OpenPGP-signed tags against {@code keyring} and SSH-signed tags against {@code allowedSigners}
     * (the format of {@code gpg.ssh.allowedSignersFile}); at least one must be given.
     */
    public static TagVerifier of(Optional<Path> keyring, Optional<Path> allowedSigners) {
        if (keyring.isEmpty() && allowedSigners.isEmpty()) {
            throw new InputException("give a keyring (OpenPGP) or an allowed-signers file (SSH) to verify tags against");
        }
        Optional<PGPPublicKeyRingCollection> ring = keyring.map(OpenPgpVerifier::readKeyring);
        allowedSigners.ifPresent(TagVerifier::checkAllowedSigners);
        return new TagVerifier(ring, allowedSigners.map(Path::toAbsolutePath));
    }

    /** An allowed-signers file must exist and hold at least one entry: principals, optional options, a key. */
    private static void checkAllowedSigners(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputException("allowed-signers file not found: " + file, e);
        } catch (IOException e) {
            throw new InputException("cannot read allowed-signers file " + file + ": " + e.getMessage(), e);
        }
        int n = 0;
        for (String line : lines) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            if (!t.matches(".*\\b(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\\.com"
                    + "|sk-ecdsa-sha2-nistp256@openssh\\.com)\\s+[A-Za-z0-9+/=]+.*")) {
                throw new InputException(file + ":" + n + ": not an allowed-signers entry (principals [options] key-type base64-key)");
            }
        }
    }

    public Verified verify(Repository repo, String tag) {
        try {
            Ref ref = repo.exactRef(Constants.R_TAGS + tag);
            if (ref == null) {
                throw new SignatureCheckFailed("tag.missing", "no tag " + tag);
            }
            ObjectLoader loader = repo.open(ref.getObjectId());
            if (loader.getType() != Constants.OBJ_TAG) {
                throw new SignatureCheckFailed("tag.lightweight", tag + " is not an annotated tag, so it cannot be signed");
            }
            byte[] raw = loader.getBytes();
            if (indexOf(raw, BEGIN_SSH) >= 0) {
                return verifySsh(repo, ref, tag);
            }
            int at = indexOf(raw, BEGIN);
            if (at < 0) {
                throw new SignatureCheckFailed("tag.unsigned", tag + " carries no signature");
            }
            if (keyring.isEmpty()) {
                throw new SignatureCheckFailed("tag.unknown-signer", tag + " carries an OpenPGP signature, but no keyring was given");
            }
            byte[] payload = java.util.Arrays.copyOf(raw, at);
            byte[] armored = java.util.Arrays.copyOfRange(raw, at, raw.length);
            OpenPgpVerifier.Verified v;
            try {
                v = new OpenPgpVerifier(keyring.get()).verify(payload, armored);
            } catch (SignatureCheckFailed f) {
                throw new SignatureCheckFailed("tag." + f.check(), tag + ": " + f.getMessage().substring(f.check().length() + 2));
            }
            String object = new String(payload, StandardCharsets.UTF_8).lines().findFirst().orElse("").replace("object ", "");
            return new Verified(tag, ObjectId.isId(object) ? object : "", v.fingerprint());
        } catch (IOException e) {
            throw new SignatureCheckFailed("tag.signature", "cannot verify " + tag + ": " + e.getMessage());
        }
    }

    private Verified verifySsh(Repository repo, Ref ref, String tag) throws IOException {
        if (allowedSigners.isEmpty()) {
            throw new SignatureCheckFailed("tag.unknown-signer", tag + " carries an SSH signature, but no allowed-signers file was given");
        }
        Config config = new Config();
        config.setString("gpg", "ssh", "allowedSignersFile", allowedSigners.get().toString());
        try (RevWalk walk = new RevWalk(repo)) {
            RevTag revTag = walk.parseTag(ref.getObjectId());
            SignatureVerifier.SignatureVerification v = SignatureVerifiers.verify(repo, new GpgConfig(config), revTag);
            if (v == null) {
                throw new SignatureCheckFailed("tag.signature", "no verifier for the signature of " + tag);
            }
            if (!v.verified()) {
                String why = v.message() == null ? "the signature does not match its content" : v.message();
                String rule = v.keyFingerprint() != null && why.toLowerCase(java.util.Locale.ROOT).contains("principal")
                        ? "tag.unknown-signer" : "tag.signature";
                throw new SignatureCheckFailed(rule, tag + ": SSH signature by " + (v.keyFingerprint() == null ? "an unknown key"
                        : v.keyFingerprint()) + " not accepted: " + why);
            }
            // git accepts any principal listed for the key; a release tag is accepted only when the key is allowed for
            // the tagger who signed it, so one team's key cannot sign in another person's name
            String tagger = revTag.getTaggerIdent() == null ? "" : revTag.getTaggerIdent().getEmailAddress();
            List<String> principals = v.keyUser() == null ? List.of() : List.of(v.keyUser().split(","));
            if (!principals.contains(tagger)) {
                throw new SignatureCheckFailed("tag.unknown-signer", tag + ": SSH key " + v.keyFingerprint() + " is allowed for "
                        + String.join(", ", principals) + ", not for the tagger " + (tagger.isEmpty() ? "(none)" : tagger));
            }
            return new Verified(tag, revTag.getObject().name(), v.keyFingerprint() + " (" + tagger + ")");
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
