package io.releasegate.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A transparency log kept in a local directory, for offline use and private deployments: it appends
 * {@code hashedrekord} v0.0.1 entries as Rekor does, keeps them in an RFC 6962 Merkle tree, and answers each append
 * with the Sigstore bundle's {@code tlogEntries} item: log index, log id (SHA-256 of the log key's DER), integrated
 * time, signed entry timestamp (inclusion promise), inclusion proof and a checkpoint in the signed note format.
 *
 * <p>The directory holds {@code log.key} (PKCS#8 PEM, ECDSA P-256), {@code log.pub}, {@code log.json} (its origin, the
 * name that signs the checkpoints) and {@code entries.jsonl} (one entry per line: body and integrated time). An append
 * holds a lock on {@code log.lock} and rewrites {@code entries.jsonl} through a temporary file and an atomic rename, so
 * concurrent appends do not lose entries and a failed append leaves the log as it was.
 */
public final class TransparencyLog {

    public static final String KIND = "hashedrekord";
    public static final String API_VERSION = "0.0.1";
    private static final Pattern ORIGIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]*");

    private final Path dir;
    private final String origin;
    private final KeySigner signer;
    private final PublicKey publicKey;
    private final byte[] logId;

    private TransparencyLog(Path dir, String origin, KeySigner signer, PublicKey publicKey) {
        this.dir = dir;
        this.origin = origin;
        this.signer = signer;
        this.publicKey = publicKey;
        this.logId = logId(publicKey);
    }

    /** Creates a new, empty log in {@code dir} (which must not hold a log yet) with a new key. */
    public static TransparencyLog create(Path dir, String origin) {
        if (!ORIGIN.matcher(origin).matches()) {
            throw new InputException("the log origin must be a host name (letters, digits, dots, dashes): '" + origin + "'");
        }
        if (Files.exists(dir.resolve("log.json"))) {
            throw new InputException(dir + " already holds a transparency log");
        }
        String[] pem = KeySigner.generatePem();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("log.key"), pem[0]);
            Files.writeString(dir.resolve("log.pub"), pem[1]);
            Files.writeString(dir.resolve("entries.jsonl"), "");
            Files.writeString(dir.resolve("log.json"), Json.pretty(Json.object().put("origin", origin)));
        } catch (IOException e) {
            throw new InputException("cannot create the transparency log in " + dir + ": " + e.getMessage(), e);
        }
        return open(dir);
    }

    public static TransparencyLog open(Path dir) {
        if (!Files.isRegularFile(dir.resolve("log.json"))) {
            throw new InputException(dir + " holds no transparency log (log.json is missing; create one with 'release-gate tlog-init " + dir + " --origin HOST')");
        }
        String origin;
        try {
            origin = Json.mapper().readTree(dir.resolve("log.json").toFile()).path("origin").asText("");
        } catch (IOException e) {
            throw new InputException(dir.resolve("log.json") + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!ORIGIN.matcher(origin).matches()) {
            throw new InputException(dir.resolve("log.json") + " names no valid origin");
        }
        return new TransparencyLog(dir, origin, KeySigner.fromPem(dir.resolve("log.key")), KeySigner.publicKey(dir.resolve("log.pub")));
    }

    /** The log id: SHA-256 of the log key's SubjectPublicKeyInfo DER. */
    public byte[] logId() {
        return logId.clone();
    }

    public static byte[] logId(PublicKey key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code tlogs} item of a Sigstore {@code trusted_root.json} that trusts this log from {@code since}. */
    public ObjectNode trustedRootEntry(Instant since) {
        ObjectNode t = Json.object();
        t.put("baseUrl", "https://" + origin);
        t.put("hashAlgorithm", "SHA2_256");
        t.putObject("publicKey").put("rawBytes", Base64.getEncoder().encodeToString(publicKey.getEncoded()))
                .put("keyDetails", "PKIX_ECDSA_P256_SHA_256").putObject("validFor").put("start", since.toString());
        t.putObject("logId").put("keyId", Base64.getEncoder().encodeToString(logId()));
        return t;
    }

    /** Appends an entry with the canonical {@code body}; returns the bundle's {@code tlogEntries} item for it. */
    public synchronized ObjectNode append(byte[] body, Instant now) {
        try (FileChannel lock = FileChannel.open(dir.resolve("log.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = lock.lock()) {
            return appendLocked(body, now);
        } catch (IOException e) {
            throw new InputException("cannot lock the transparency log " + dir + ": " + e.getMessage(), e);
        }
    }

    private ObjectNode appendLocked(byte[] body, Instant now) {
        Path entries = dir.resolve("entries.jsonl");
        List<String> lines;
        try {
            lines = new ArrayList<>(Files.readAllLines(entries, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InputException("cannot read " + entries + ": " + e.getMessage(), e);
        }
        lines.removeIf(String::isBlank);
        List<byte[]> leaves = new ArrayList<>();
        for (String line : lines) {
            try {
                leaves.add(MerkleTree.leafHash(Base64.getDecoder().decode(Json.mapper().readTree(line).path("body").asText())));
            } catch (IOException | IllegalArgumentException e) {
                throw new InputException(entries + " is corrupt: " + e.getMessage(), e);
            }
        }
        long index = leaves.size();
        long integratedTime = now.getEpochSecond();
        leaves.add(MerkleTree.leafHash(body));
        String b64Body = Base64.getEncoder().encodeToString(body);
        lines.add(Json.compact(Json.object().put("body", b64Body).put("integratedTime", integratedTime)));
        byte[] root = MerkleTree.root(leaves);
        List<byte[]> proof = MerkleTree.inclusionProof((int) index, leaves);

        ObjectNode entry = Json.object();
        entry.put("logIndex", Long.toString(index));
        entry.putObject("logId").put("keyId", Base64.getEncoder().encodeToString(logId));
        entry.putObject("kindVersion").put("kind", KIND).put("version", API_VERSION);
        entry.put("integratedTime", Long.toString(integratedTime));
        entry.putObject("inclusionPromise").put("signedEntryTimestamp", Base64.getEncoder().encodeToString(
                signer.sign(signedEntryTimestampContent(b64Body, integratedTime, HexFormat.of().formatHex(logId), index))));
        ObjectNode ip = entry.putObject("inclusionProof");
        ip.put("logIndex", Long.toString(index)).put("rootHash", Base64.getEncoder().encodeToString(root))
                .put("treeSize", Long.toString(leaves.size()));
        ArrayNode hashes = ip.putArray("hashes");
        proof.forEach(h -> hashes.add(Base64.getEncoder().encodeToString(h)));
        ip.putObject("checkpoint").put("envelope", checkpoint(leaves.size(), root));
        entry.put("canonicalizedBody", b64Body);

        Path tmp = dir.resolve("entries.jsonl.tmp");
        try {
            Files.writeString(tmp, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, entries, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, entries, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the log itself is unchanged
            }
            throw new InputException("cannot append to " + entries + ": " + e.getMessage(), e);
        }
        return entry;
    }

    /** The signed note: {@code origin\nsize\nbase64(root)\n\n— origin base64(keyHint || signature)\n}. */
    private String checkpoint(long size, byte[] root) {
        String note = origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(root) + "\n";
        byte[] sig = signer.sign(note.getBytes(StandardCharsets.UTF_8));
        byte[] keySig = new byte[4 + sig.length];
        System.arraycopy(logId, 0, keySig, 0, 4);
        System.arraycopy(sig, 0, keySig, 4, sig.length);
        return note + "\n\u2014 " + origin + " " + Base64.getEncoder().encodeToString(keySig) + "\n";
    }

    /** What the signed entry timestamp covers: canonical JSON of body, integratedTime, logID (hex) and logIndex, as Rekor signs it. */
    public static byte[] signedEntryTimestampContent(String base64Body, long integratedTime, String logIdHex, long logIndex) {
        ObjectNode o = Json.object();
        o.put("body", base64Body);
        o.put("integratedTime", integratedTime);
        o.put("logID", logIdHex);
        o.put("logIndex", logIndex);
        return Json.bytes(o);
    }

    static JsonNode readJson(byte[] bytes, String what) {
        try {
            return Json.mapper().readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new InputException(what + " is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + ")") + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InputException(what + " cannot be read: " + e.getMessage(), e);
        }
    }
}
