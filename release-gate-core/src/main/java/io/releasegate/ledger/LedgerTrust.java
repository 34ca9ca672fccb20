package io.releasegate.ledger;

import io.releasegate.approval.Identities;
import io.releasegate.error.InputException;
import io.releasegate.signing.OpenPgpKeys;
import io.releasegate.signing.OpenPgpVerifier;
import io.releasegate.signing.RevokedKeys;
import io.releasegate.signing.SignatureCheckFailed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.SignatureVerifier;
import org.eclipse.jgit.lib.SignatureVerifiers;
import org.eclipse.jgit.revwalk.RevCommit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Who may assert what in the ledger, and the keys to check it with: the trust configuration, kept where
 * the people who write the ledger cannot change it (the Jenkins controller's configuration, a file the
 * admin distributes). A YAML file:
 *
 * <pre>
 * version: 1
 * allowedSigners: allowed_signers   # git's allowed-signers format (SSH keys), relative to this file
 * keyring: keyring.asc              # armored OpenPGP public keys, relative to this file
 * ci: [ci@example.com]              # may assert the pipeline's events (built, gates, SBOM, promotions …)
 * attestors: [jenkins@example.com]  # may sign that a person approved (the controller, for input submitters)
 * revoked:                          # release signing keys no longer believed, each from a date or instant on
 *   - fingerprint: 3f1c…            # hex SHA-256 of the public key's SubjectPublicKeyInfo
 *     since: 2025-03-01             # a date (its start, UTC) or an instant (2025-03-01T12:00:00Z)
 *     reason: key left with a laptop
 * </pre>
 *
 * A person's events (approvals, no-go decisions, emergency approvals and reviews, exception approvals) are
 * signed by that person's key, whose principal (SSH) or user id (OpenPGP) is the person, or by an attestor.
 * Principals are the identities: SSH keys' principals in the allowed-signers file, OpenPGP keys' user ids and
 * their e-mail addresses.
 *
 * <p>With no trust configuration a ledger works in trial mode: a key made for it on first use signs every
 * event and is the only one trusted. Trial mode proves that events were not edited by hand after the fact,
 * but anyone who can read the trial key can sign; {@code inspect} and {@code audit} say so.
 */
public final class LedgerTrust {

    /** The environment variable naming the trust configuration for the command line. */
    public static final String ENV = "RELEASE_GATE_TRUST";
    /** The principal of a trial key. */
    public static final String TRIAL_PRINCIPAL = "trial-ci@release-gate.invalid";
    public static final String FILE = "trust.yaml";
    private static final String TRIAL_KEY = "trial-ci.asc";
    private static final Pattern EMAIL = Pattern.compile("<([^<>\\s]+@[^<>\\s]+)>");
    private static final String SSH_BEGIN = "-----BEGIN SSH SIGNATURE-----";

    private final Path source;
    private final boolean trial;
    private final Optional<Path> allowedSigners;
    private final Optional<OpenPgpVerifier> openpgp;
    private final Set<String> ci;
    private final Set<String> attestors;
    private final Set<String> sshFingerprints;
    private final RevokedKeys revoked;

    private LedgerTrust(Path source, boolean trial, Optional<Path> allowedSigners, Optional<OpenPgpVerifier> openpgp,
                        Set<String> ci, Set<String> attestors, RevokedKeys revoked) {
        this.source = source;
        this.trial = trial;
        this.allowedSigners = allowedSigners;
        this.openpgp = openpgp;
        this.ci = normalised(ci);
        this.attestors = normalised(attestors);
        this.sshFingerprints = allowedSigners.map(LedgerTrust::fingerprints).orElse(Set.of());
        this.revoked = revoked;
    }

    /** The SHA256 fingerprints ({@code SHA256:base64}, as ssh-keygen prints them) of an allowed-signers file's keys. */
    private static Set<String> fingerprints(Path allowedSigners) {
        Set<String> out = new LinkedHashSet<>();
        Pattern key = Pattern.compile("(?:^|\\s)(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\\d+|sk-[a-z0-9.@-]+)\\s+([A-Za-z0-9+/=]+)");
        try {
            for (String line : Files.readAllLines(allowedSigners, StandardCharsets.UTF_8)) {
                Matcher m = key.matcher(line);
                if (!line.strip().startsWith("#") && m.find()) {
                    try {
                        byte[] blob = java.util.Base64.getDecoder().decode(m.group(1));
                        byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(blob);
                        out.add("SHA256:" + java.util.Base64.getEncoder().withoutPadding().encodeToString(d));
                    } catch (IllegalArgumentException | java.security.NoSuchAlgorithmException e) {
                        // not a key: JGit's verifier reports such a line itself
                    }
                }
            }
        } catch (IOException e) {
            throw new InputException("cannot read allowed-signers file " + allowedSigners + ": " + e.getMessage(), e);
        }
        return Set.copyOf(out);
    }

    /** A trial trust and the key that goes with it. */
    public record Trial(LedgerTrust trust, EventSigner signer) {
    }

    /** Reads a trust configuration; anything wrong in it is an input error naming the file. */
    public static LedgerTrust load(Path file) {
        Map<?, ?> doc;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoaderOptions o = new LoaderOptions();
            o.setMaxAliasesForCollections(10);
            o.setAllowDuplicateKeys(false);
            Object loaded = new Yaml(new SafeConstructor(o)).load(r);
            if (!(loaded instanceof Map<?, ?> m)) {
                throw new InputException(file + ": a trust configuration is a YAML mapping");
            }
            doc = m;
        } catch (NoSuchFileException e) {
            throw new InputException("trust configuration not found: " + file, e);
        } catch (IOException | YAMLException e) {
            throw new InputException(file + ": not a readable trust configuration: " + e.getMessage(), e);
        } catch (InputException e) {
            throw e;
        } catch (RuntimeException e) {
            // SnakeYAML reports some malformed documents (a tag with spaces: "!%20") with other exceptions
            throw new InputException(file + ": not valid YAML: " + e.getMessage(), e);
        }
        Set<String> known = Set.of("version", "allowedSigners", "keyring", "ci", "attestors", "revoked");
        for (Object k : doc.keySet()) {
            if (!known.contains(String.valueOf(k))) {
                throw new InputException(file + ": unknown key '" + k + "'; valid keys: " + new TreeSet<>(known));
            }
        }
        if (!"1".equals(String.valueOf(doc.get("version")))) {
            throw new InputException(file + ": version: expected 1, got " + doc.get("version"));
        }
        Path dir = file.toAbsolutePath().getParent();
        Optional<Path> signers = Optional.ofNullable(doc.get("allowedSigners")).map(v -> dir.resolve(String.valueOf(v)));
        signers.ifPresent(p -> {
            if (!Files.isRegularFile(p)) {
                throw new InputException(file + ": allowedSigners: no file " + p);
            }
        });
        Optional<OpenPgpVerifier> ring = Optional.ofNullable(doc.get("keyring"))
                .map(v -> new OpenPgpVerifier(OpenPgpVerifier.readKeyring(dir.resolve(String.valueOf(v)))));
        if (signers.isEmpty() && ring.isEmpty()) {
            throw new InputException(file + ": give allowedSigners (SSH keys) or keyring (OpenPGP keys), or both");
        }
        List<String> ciList = strings(doc.get("ci"), file, "ci");
        if (ciList.isEmpty()) {
            throw new InputException(file + ": ci: name at least one principal that signs the pipeline's events");
        }
        return new LedgerTrust(file.toAbsolutePath(), false, signers.map(Path::toAbsolutePath), ring,
                new LinkedHashSet<>(ciList), new LinkedHashSet<>(strings(doc.get("attestors"), file, "attestors")),
                revoked(doc.get("revoked"), file));
    }

    private static RevokedKeys revoked(Object v, Path file) {
        if (v == null) {
            return RevokedKeys.none();
        }
        if (!(v instanceof List<?> list)) {
            throw new InputException(file + ": revoked: a list of {fingerprint, since, reason}");
        }
        List<RevokedKeys.Revoked> out = new java.util.ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> m) || !Set.of("fingerprint", "since", "reason").containsAll(
                    m.keySet().stream().map(String::valueOf).toList())) {
                throw new InputException(file + ": revoked: each item has fingerprint, since and optionally reason; got " + item);
            }
            String fp = RevokedKeys.normalise(String.valueOf(m.get("fingerprint")));
            if (!fp.matches("[0-9a-f]{64}")) {
                throw new InputException(file + ": revoked: fingerprint '" + m.get("fingerprint") + "' is not a hex SHA-256 "
                        + "(openssl pkey -pubin -in PUB.pem -outform DER | sha256sum)");
            }
            Object since = m.get("since");
            java.time.Instant at;
            if (since instanceof Date d) {
                at = d.toInstant(); // YAML reads an unquoted date or timestamp as one (a date as its start, UTC)
            } else if (since != null) {
                try {
                    String t = String.valueOf(since);
                    at = t.contains("T") ? java.time.Instant.parse(t) : java.time.LocalDate.parse(t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
                } catch (java.time.format.DateTimeParseException e) {
                    throw new InputException(file + ": revoked: since '" + since + "' is neither a date (2025-03-01) nor an instant "
                            + "(2025-03-01T12:00:00Z)", e);
                }
            } else {
                throw new InputException(file + ": revoked: key " + fp + " has no since (the date from which it is revoked)");
            }
            out.add(new RevokedKeys.Revoked(fp, at, m.get("reason") == null ? "" : String.valueOf(m.get("reason"))));
        }
        return new RevokedKeys(out);
    }

    /**
     * The trial trust kept in {@code dir}: made there on first use (a new Ed25519 OpenPGP key for
     * {@value #TRIAL_PRINCIPAL}, which is both the CI identity and the attestor), read back afterwards.
     */
    public static Trial trial(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs.resolve(FILE))) {
            createTrial(abs);
        }
        LedgerTrust t = load(abs.resolve(FILE));
        return new Trial(new LedgerTrust(t.source, true, t.allowedSigners, t.openpgp, t.ci, t.attestors, t.revoked),
                EventSigner.fromFile(abs.resolve(TRIAL_KEY), new char[0]));
    }

    private static void createTrial(Path dir) {
        try {
            Files.createDirectories(dir.getParent());
            Path tmp = dir.resolveSibling("." + dir.getFileName() + ".new-" + UUID.randomUUID());
            Files.createDirectories(tmp);
            try {
                String[] key = OpenPgpKeys.generateEd25519Armored("Release Gate trial CI <" + TRIAL_PRINCIPAL + ">", new Date());
                Files.writeString(tmp.resolve(TRIAL_KEY), key[0], StandardCharsets.US_ASCII);
                Files.writeString(tmp.resolve("keyring.asc"), key[1], StandardCharsets.US_ASCII);
                Files.writeString(tmp.resolve(FILE), "# Trial trust: made on first use; configure a real one (" + ENV
                        + ", --trust) for anything but a trial\nversion: 1\nkeyring: keyring.asc\nci: [" + TRIAL_PRINCIPAL
                        + "]\nattestors: [" + TRIAL_PRINCIPAL + "]\n", StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException lost) {
                    if (!Files.isRegularFile(dir.resolve(FILE))) {
                        throw lost;
                    }
                }
            } finally {
                if (Files.exists(tmp)) {
                    try (Stream<Path> s = Files.walk(tmp)) {
                        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new InputException("cannot create the trial trust in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Where it was read from. */
    public Path source() {
        return source;
    }

    /** Whether this is a trial trust (a key made on first use, readable by whoever can read the ledger's state). */
    public boolean trial() {
        return trial;
    }

    public Set<String> ci() {
        return ci;
    }

    public Set<String> attestors() {
        return attestors;
    }

    /** The release signing keys revoked, each from a moment on. */
    public RevokedKeys revoked() {
        return revoked;
    }

    /**
     * Whether the commit holding an event of {@code type} with {@code actor} is signed by a trusted key of
     * someone who may assert it. Never throws for a bad signature: that is a {@link Verification.Rejected}.
     */
    public Verification verify(Repository repo, RevCommit commit, String type, String actor) {
        byte[] signature = commit.getRawGpgSignature();
        if (signature == null || signature.length == 0) {
            return new Verification.Rejected("event.unsigned", "commit " + commit.name() + " (" + type + ") carries no signature");
        }
        Set<String> principals;
        String key;
        if (new String(signature, StandardCharsets.US_ASCII).startsWith(SSH_BEGIN)) {
            if (allowedSigners.isEmpty()) {
                return new Verification.Rejected("event.unknown-signer", "commit " + commit.name()
                        + " is signed with an SSH key, and the trust configuration lists no SSH keys");
            }
            Config c = new Config();
            c.setString("gpg", null, "format", "ssh");
            c.setString("gpg", "ssh", "allowedSignersFile", allowedSigners.get().toString());
            SignatureVerifier.SignatureVerification v;
            try {
                v = SignatureVerifiers.verify(repo, new GpgConfig(c), commit);
            } catch (IOException | RuntimeException e) {
                return new Verification.Rejected("event.signature", "commit " + commit.name() + ": " + e.getMessage());
            }
            if (v == null) {
                return new Verification.Rejected("event.signature", "commit " + commit.name() + " has an unreadable SSH signature");
            }
            if (!v.verified() && sshFingerprints.contains(v.keyFingerprint())) {
                return new Verification.Rejected("event.signature", "the signature of commit " + commit.name() + " by SSH key "
                        + v.keyFingerprint() + " does not match the commit's content" + (v.message() == null ? "" : ": " + v.message()));
            }
            if (!v.verified() || v.keyUser() == null || v.keyUser().isBlank()) {
                return new Verification.Rejected("event.unknown-signer", "commit " + commit.name() + " is signed by SSH key "
                        + v.keyFingerprint() + ", which the trust configuration does not list");
            }
            principals = new LinkedHashSet<>(List.of(v.keyUser().split(",")));
            key = "SSH " + v.keyFingerprint();
        } else {
            if (openpgp.isEmpty()) {
                return new Verification.Rejected("event.unknown-signer", "commit " + commit.name()
                        + " is signed with an OpenPGP key, and the trust configuration lists no OpenPGP keys");
            }
            OpenPgpVerifier.Verified v;
            try {
                v = openpgp.get().verify(unsignedPayload(commit.getRawBuffer()), signature);
            } catch (SignatureCheckFailed f) {
                return new Verification.Rejected("event." + f.check(), "commit " + commit.name() + ": "
                        + f.getMessage().substring(f.check().length() + 2));
            }
            principals = new LinkedHashSet<>();
            for (String uid : v.userIds()) {
                Matcher m = EMAIL.matcher(uid);
                principals.add(m.find() ? m.group(1) : uid);
            }
            key = "OpenPGP " + v.fingerprint();
        }
        return authorize(commit, type, actor, principals, key);
    }

    private Verification authorize(RevCommit commit, String type, String actor, Set<String> principals, String key) {
        if (EventType.asserterOf(type) == EventType.Asserter.CI) {
            for (String p : principals) {
                if (ci.contains(Identities.normalise(p))) {
                    return new Verification.Verified(p, key, false);
                }
            }
            return new Verification.Rejected("event.unauthorized-signer", "'" + type + "' (commit " + commit.name()
                    + ") is asserted by the CI identity " + ci + ", but it is signed by " + key + " of " + principals);
        }
        for (String p : principals) {
            if (Identities.matches(actor, Identities.forms(p))) {
                return new Verification.Verified(p, key, false);
            }
        }
        for (String p : principals) {
            if (attestors.contains(Identities.normalise(p))) {
                return new Verification.Verified(p, key, true);
            }
        }
        return new Verification.Rejected("event.unauthorized-signer", "'" + type + "' by " + actor + " (commit "
                + commit.name() + ") must be signed by " + actor + " or an attestor " + attestors + ", but it is signed by "
                + key + " of " + principals);
    }

    /** The bytes git signs: the commit without its {@code gpgsig} header (and that header's continuation lines). */
    static byte[] unsignedPayload(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        int i = 0;
        boolean inHeaders = true;
        boolean skipping = false;
        while (i < raw.length) {
            int end = i;
            while (end < raw.length && raw[end] != '\n') {
                end++;
            }
            int next = Math.min(end + 1, raw.length);
            if (inHeaders) {
                if (end == i) {
                    inHeaders = false;
                    skipping = false;
                } else if (skipping && raw[i] == ' ') {
                    i = next;
                    continue;
                } else {
                    skipping = startsWith(raw, i, "gpgsig ") || startsWith(raw, i, "gpgsig-sha256 ");
                    if (skipping) {
                        i = next;
                        continue;
                    }
                }
            }
            out.write(raw, i, next - i);
            i = next;
        }
        return out.toByteArray();
    }

    private static boolean startsWith(byte[] raw, int at, String prefix) {
        if (at + prefix.length() > raw.length) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if (raw[at + k] != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static List<String> strings(Object v, Path file, String key) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof Collection<?> c)) {
            throw new InputException(file + ": " + key + ": expected a list of principals");
        }
        List<String> out = new ArrayList<>();
        for (Object o : c) {
            if (o == null || String.valueOf(o).isBlank() || o instanceof Map || o instanceof Collection) {
                throw new InputException(file + ": " + key + ": every entry is a principal (a name or an e-mail address)");
            }
            out.add(String.valueOf(o));
        }
        return out;
    }

    private static Set<String> normalised(Set<String> names) {
        Set<String> out = new LinkedHashSet<>();
        names.forEach(n -> out.add(Identities.normalise(n)));
        return Set.copyOf(out);
    }
}
