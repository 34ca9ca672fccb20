package io.releasegate.demo;

import io.releasegate.error.InputException;
import io.releasegate.ledger.EventSigner;
import io.releasegate.ledger.LedgerTrust;
import io.releasegate.signing.OpenPgpKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo's trust configuration, made in a directory: one Ed25519 OpenPGP key for the CI identity and one per
 * person, their public keys in one keyring, and a {@code trust.yaml} that believes the CI key for the pipeline's
 * events and each person's key for their own approvals. Generated keys, for the demo only.
 *
 * @param file the {@code trust.yaml}
 * @param keys each person's event-signing key (and {@code "ci"}'s), by name
 */
public record DemoTrust(Path file, Map<String, Path> keys) {

    /** Makes the trust in {@code dir} for the CI identity {@code ci@<domain>} and {@code people} (names@domain). */
    public static DemoTrust create(Path dir, String domain, String... people) {
        try {
            Files.createDirectories(dir);
            Map<String, Path> keys = new LinkedHashMap<>();
            StringBuilder keyring = new StringBuilder();
            Date now = new Date();
            String ci = "ci@" + domain;
            keyring.append(write(dir, "ci", "Release CI <" + ci + ">", now, keys));
            for (String p : people) {
                keyring.append(write(dir, p, p + " <" + p + "@" + domain + ">", now, keys));
            }
            Files.writeString(dir.resolve("keyring.asc"), keyring.toString(), StandardCharsets.US_ASCII);
            Path file = dir.resolve(LedgerTrust.FILE);
            Files.writeString(file, "# the demo's trust: generated keys, believed for the demo only\nversion: 1\n"
                    + "keyring: keyring.asc\nci: [" + ci + "]\nattestors: []\n", StandardCharsets.UTF_8);
            return new DemoTrust(file, Map.copyOf(keys));
        } catch (IOException e) {
            throw new InputException("cannot create the demo trust in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String write(Path dir, String name, String userId, Date now, Map<String, Path> keys) throws IOException {
        String[] key = OpenPgpKeys.generateEd25519Armored(userId, now);
        Path f = dir.resolve(name + ".key.asc");
        Files.writeString(f, key[0], StandardCharsets.US_ASCII);
        keys.put(name, f);
        return key[1];
    }

    /** The key that signs what {@code name} records. */
    public EventSigner signer(String name) {
        Path f = keys.get(name);
        if (f == null) {
            throw new IllegalArgumentException("the demo trust has no key for " + name);
        }
        return EventSigner.fromFile(f, new char[0]);
    }
}
