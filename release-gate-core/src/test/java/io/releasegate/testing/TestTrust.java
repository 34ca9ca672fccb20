package io.releasegate.testing;

import io.releasegate.ledger.EventSigner;
import io.releasegate.signing.OpenPgpKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real trust configuration for tests, as an admin would write it: the CI identity and the Jenkins attestor
 * with OpenPGP keys, each person with an SSH key made by {@code ssh-keygen} listed in an allowed-signers
 * file. Test-only keys, generated for the run.
 */
public final class TestTrust {

    public static final String CI = "ci@release-gate.test";
    public static final String ATTESTOR = "jenkins@release-gate.test";

    private final Path dir;
    private final Map<String, Path> sshKeys;

    private TestTrust(Path dir, Map<String, Path> sshKeys) {
        this.dir = dir;
        this.sshKeys = sshKeys;
    }

    /** A trust in {@code dir} with the CI identity, the attestor and an SSH key for each of {@code people}. */
    public static TestTrust create(Path dir, String... people) {
        try {
            Files.createDirectories(dir);
            String[] ci = OpenPgpKeys.generateEd25519Armored("Release CI <" + CI + ">", new Date());
            String[] att = OpenPgpKeys.generateEd25519Armored("Jenkins controller <" + ATTESTOR + ">", new Date());
            Files.writeString(dir.resolve("ci.asc"), ci[0]);
            Files.writeString(dir.resolve("attestor.asc"), att[0]);
            Files.writeString(dir.resolve("keyring.asc"), ci[1] + att[1]);
            Map<String, Path> keys = new LinkedHashMap<>();
            List<String> allowed = new ArrayList<>();
            for (String person : people) {
                Path key = sshKey(dir, person);
                keys.put(person, key);
                allowed.add(person + " namespaces=\"git\" " + Files.readString(key.resolveSibling(key.getFileName() + ".pub")).trim());
            }
            Files.write(dir.resolve("allowed_signers"), allowed, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("trust.yaml"), "version: 1\nallowedSigners: allowed_signers\nkeyring: keyring.asc\n"
                    + "ci: [" + CI + "]\nattestors: [" + ATTESTOR + "]\n");
            return new TestTrust(dir, keys);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A new unprotected ed25519 SSH key for {@code person} (test-only), by ssh-keygen. */
    public static Path sshKey(Path dir, String person) {
        Path key = dir.resolve("ssh-" + person.replaceAll("[^A-Za-z0-9]", "_"));
        try {
            Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", person, "-f", key.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new AssertionError("ssh-keygen failed: " + out);
            }
            return key;
        } catch (IOException e) {
            throw new AssertionError("cannot run ssh-keygen (openssh-client, installed by .ci/run): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public Path file() {
        return dir.resolve("trust.yaml");
    }

    public Path dir() {
        return dir;
    }

    public Path ciKeyFile() {
        return dir.resolve("ci.asc");
    }

    public Path attestorKeyFile() {
        return dir.resolve("attestor.asc");
    }

    public Path sshKeyFile(String person) {
        return sshKeys.get(person);
    }

    public EventSigner ci() {
        return EventSigner.fromFile(ciKeyFile(), new char[0]);
    }

    public EventSigner attestor() {
        return EventSigner.fromFile(attestorKeyFile(), new char[0]);
    }

    public EventSigner person(String person) {
        return EventSigner.fromFile(sshKeyFile(person), new char[0]);
    }

    public Path allowedSigners() {
        return dir.resolve("allowed_signers");
    }
}
