package io.releasegate.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.testing.Git;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSH-signed tags ({@code gpg.format=ssh}), made by the git command line with keys from ssh-keygen, verified
 * by ours against an allowed-signers file, with {@code git tag -v} as the independent checker.
 */
class SshTagVerifierTest {

    @TempDir
    Path tmp;
    Path repo;
    Path ed25519;
    Path ecdsa;

    @BeforeEach
    void setUp() throws Exception {
        repo = Files.createDirectories(tmp.resolve("repo"));
        Git.run(repo, "init", "-q");
        Files.writeString(repo.resolve("a.txt"), "a\n");
        Git.run(repo, "add", "a.txt");
        Git.run(repo, "commit", "-q", "-m", "feat: first");
        ed25519 = keygen("ed25519", "tagger-ed");
        ecdsa = keygen("ecdsa", "tagger-ec");
    }

    private Path keygen(String type, String name) throws Exception {
        Path key = tmp.resolve(name);
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-N", "", "-C", name, "-f", key.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("ssh-keygen: " + out).isZero();
        return key;
    }

    private String publicKey(Path key) throws IOException {
        String[] parts = Files.readString(Path.of(key + ".pub")).trim().split("\\s+");
        return parts[0] + " " + parts[1];
    }

    private void signedTag(String tag, Path key) {
        Git.run(repo, "-c", "gpg.format=ssh", "-c", "user.signingkey=" + key, "tag", "-s", "-m", "release " + tag, tag);
    }

    private Path allowed(String name, String... lines) throws IOException {
        return Files.write(tmp.resolve(name), List.of(lines));
    }

    private TagVerifier.Verified verify(Path allowedSigners, String tag) throws Exception {
        try (History h = History.open(repo)) {
            return TagVerifier.of(Optional.empty(), Optional.of(allowedSigners)).verify(h.repository(), tag);
        }
    }

    @Test
    void sshSignedTagsVerifyWithOursAndWithGit() throws Exception {
        signedTag("v1.0.0", ed25519);
        signedTag("v1.1.0", ecdsa);
        Path signers = allowed("allowed_signers",
                "# release signers",
                "test@example.com namespaces=\"git\" " + publicKey(ed25519),
                "test@example.com " + publicKey(ecdsa));
        String head = Git.run(repo, "rev-parse", "HEAD").trim();
        TagVerifier.Verified v = verify(signers, "v1.0.0");
        assertThat(v.object()).isEqualTo(head);
        assertThat(v.signer()).startsWith("SHA256:").contains("test@example.com");
        assertThat(verify(signers, "v1.1.0").object()).isEqualTo(head);
        // the independent checker agrees
        String git = Git.run(repo, "-c", "gpg.ssh.allowedSignersFile=" + signers, "tag", "-v", "v1.0.0");
        assertThat(git).contains("Good \"git\" signature for test@example.com");
    }

    @Test
    void aKeyThatIsNotAllowedIsRefused() throws Exception {
        signedTag("v1.0.0", ed25519);
        Path onlyOther = allowed("allowed_signers", "test@example.com " + publicKey(ecdsa));
        assertThatThrownBy(() -> verify(onlyOther, "v1.0.0")).isInstanceOf(SignatureCheckFailed.class)
                .hasMessageContaining("tag.").hasMessageContaining("not accepted");
    }

    @Test
    void theRightKeyForSomeoneElseIsRefused() throws Exception {
        signedTag("v1.0.0", ed25519);
        Path otherPrincipal = allowed("allowed_signers", "release-bot@example.com " + publicKey(ed25519));
        // git itself accepts it (it does not bind the principal to the tagger); ours does not
        assertThat(Git.run(repo, "-c", "gpg.ssh.allowedSignersFile=" + otherPrincipal, "tag", "-v", "v1.0.0"))
                .contains("Good \"git\" signature for release-bot@example.com");
        assertThatThrownBy(() -> verify(otherPrincipal, "v1.0.0")).isInstanceOf(SignatureCheckFailed.class)
                .hasMessageContaining("tag.unknown-signer").hasMessageContaining("not for the tagger test@example.com");
    }

    @Test
    void aKeyAllowedOnlyForAnotherNamespaceOrOutsideItsValidityIsRefused() throws Exception {
        signedTag("v1.0.0", ed25519);
        Path fileOnly = allowed("ns", "test@example.com namespaces=\"file\" " + publicKey(ed25519));
        assertThatThrownBy(() -> verify(fileOnly, "v1.0.0")).isInstanceOf(SignatureCheckFailed.class);
        Path expired = allowed("expired", "test@example.com valid-before=\"20200101\" " + publicKey(ed25519));
        assertThatThrownBy(() -> verify(expired, "v1.0.0")).isInstanceOf(SignatureCheckFailed.class);
        Path future = allowed("future", "test@example.com valid-after=\"29990101\" " + publicKey(ed25519));
        assertThatThrownBy(() -> verify(future, "v1.0.0")).isInstanceOf(SignatureCheckFailed.class);
    }

    @Test
    void aTamperedTagIsRefusedByOursAndByGit() throws Exception {
        signedTag("v1.0.0", ed25519);
        Path signers = allowed("allowed_signers", "test@example.com " + publicKey(ed25519));
        String forged = Git.run(repo, "cat-file", "tag", "v1.0.0").replace("release v1.0.0", "release v9.9.9");
        Path forgedFile = Files.writeString(tmp.resolve("forged"), forged);
        String id = Git.run(repo, "hash-object", "-t", "tag", "-w", forgedFile.toString()).trim();
        Git.run(repo, "update-ref", "refs/tags/forged", id);
        assertThatThrownBy(() -> verify(signers, "forged")).isInstanceOf(SignatureCheckFailed.class)
                .hasMessageContaining("tag.signature");
        assertThatThrownBy(() -> Git.run(repo, "-c", "gpg.ssh.allowedSignersFile=" + signers, "tag", "-v", "forged"))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void anSshTagNeedsAnAllowedSignersFileAndAnOpenPgpTagAKeyring() throws Exception {
        signedTag("v1.0.0", ed25519);
        Path keyringOnly = Files.writeString(tmp.resolve("empty.asc"), "");
        try (History h = History.open(repo)) {
            // an empty keyring is readable but knows nobody; the SSH tag still needs an allowed-signers file
            assertThatThrownBy(() -> TagVerifier.withKeyring(keyringOnly).verify(h.repository(), "v1.0.0"))
                    .isInstanceOf(SignatureCheckFailed.class).hasMessageContaining("no allowed-signers file");
        }
        assertThatThrownBy(() -> TagVerifier.of(Optional.empty(), Optional.empty())).isInstanceOf(InputException.class);
        assertThatThrownBy(() -> TagVerifier.of(Optional.empty(), Optional.of(tmp.resolve("missing"))))
                .isInstanceOf(InputException.class).hasMessageContaining("not found");
        Path garbage = allowed("garbage", "this is not an allowed signers line");
        assertThatThrownBy(() -> TagVerifier.of(Optional.empty(), Optional.of(garbage)))
                .isInstanceOf(InputException.class).hasMessageContaining("garbage:1");
    }
}
