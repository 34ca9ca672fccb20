package io.releasegate.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** GnuPG in a private home directory: generates test-only keys and verifies signatures independently. */
public final class Gpg implements AutoCloseable {

    private final Path home;

    private Gpg(Path home) {
        this.home = home;
    }

    /** A new GNUPGHOME (short path: the agent's socket path is limited) with one ed25519 signing key. */
    public static Gpg withKey(String userId) {
        try {
            Path home = Files.createTempDirectory(Path.of("/tmp"), "gpg");
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
            Gpg gpg = new Gpg(home);
            gpg.run("--quick-gen-key", userId, "ed25519", "sign", "never");
            return gpg;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public Map<String, String> env() {
        return Map.of("GNUPGHOME", home.toString());
    }

    /** The secret key, armored, written to a file (no passphrase: test keys only). */
    public Path exportSecretKey(Path file) {
        try {
            Files.writeString(file, run("--armor", "--export-secret-keys"));
            return file;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The public key, armored, written to a file. */
    public Path exportPublicKey(Path file) {
        try {
            Files.writeString(file, run("--armor", "--export"));
            return file;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public String run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", ""));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("GNUPGHOME", home.toString());
        try {
            Process p = pb.start();
            byte[] err = p.getErrorStream().readAllBytes();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new AssertionError("gpg " + args[0] + " failed: " + new String(err, StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run gpg (is gnupg installed?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        try {
            ProcessBuilder kill = new ProcessBuilder("gpgconf", "--kill", "all").redirectErrorStream(true);
            kill.environment().put("GNUPGHOME", home.toString());
            kill.start().waitFor();
        } catch (IOException | InterruptedException ignored) {
            // best effort
        }
        ProcessBuilder pb = new ProcessBuilder("rm", "-rf", home.toString());
        try {
            pb.start().waitFor();
        } catch (IOException | InterruptedException ignored) {
            // best effort
        }
    }
}
