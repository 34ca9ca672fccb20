package io.releasegate.jenkins;

import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import hudson.AbortException;
import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import io.releasegate.error.ReleaseGateException;
import io.releasegate.ledger.EventSigner;
import io.releasegate.policy.CentralPolicy;
import io.releasegate.signing.KeySecrets;
import io.releasegate.steps.StepEnvironment;
import io.releasegate.steps.TrustedInputs;
import io.releasegate.store.RegistryCredentials;
import io.releasegate.tag.RemoteAccess;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import jenkins.MasterToSlaveFileCallable;

/**
 * Runs one core entry point on the agent that holds the workspace and returns plain, serialisable
 * values. Key material (and, in certificate mode, the certificate and the trust root), the ledger's trust with the key
 * that signs the pipeline's events, and the controller's central policy are written to an owner-only temporary
 * directory next to the workspace ({@code WORKSPACE@tmp}, the directory Jenkins uses for such files) and deleted before
 * returning. The workspace itself is never written with any of it.
 */
final class CoreCallable extends MasterToSlaveFileCallable<HashMap<String, Object>> {

    private static final long serialVersionUID = 1L;

    /** Local state (embedded store and ledger) of a workspace, as the CLI and the library tests use it. */
    static final String STATE_DIR = ".release-gate";

    private final Command command;
    private final HashMap<String, Object> args;
    private final String actor;
    private final KeyMaterial keys;
    private final RegistryLogin registry;
    private final CoreRun.CentralPolicyText central;
    private final LedgerSecrets ledger;
    private final TaskListener listener;
    private TagSecrets tag;
    private String emergencyApprover = "";
    @SuppressFBWarnings(value = "SE_BAD_FIELD", justification = "a remoting proxy of the controller's attestor (serialisable), "
            + "or the attestor itself on the controller's own node, where nothing is serialised")
    private EventSigner.Attestor attestor;

    CoreCallable(Command command, Map<String, Object> args, String actor, KeyMaterial keys, Optional<RegistryLogin> registry,
                 CoreRun.CentralPolicyText central, LedgerSecrets ledger, TaskListener listener) {
        this.command = command;
        this.args = new HashMap<>(args);
        this.actor = actor;
        this.keys = keys;
        this.registry = registry.orElse(null);
        this.central = central;
        this.ledger = ledger;
        this.listener = listener;
    }

    /** The release tag's secrets (tag only); the armored key is written like the signing key, the rest stays in memory. */
    CoreCallable tag(TagSecrets secrets) {
        this.tag = secrets;
        return this;
    }

    /** The approver of an emergency change (promoteDigest with {@code emergency}), from the build's records. */
    CoreCallable emergencyApprover(String approver) {
        this.emergencyApprover = approver == null ? "" : approver;
        return this;
    }

    /** The controller's attestor (a remote handle on an agent) that signs the person's events this call records. */
    CoreCallable attestor(EventSigner.Attestor handle) {
        this.attestor = handle;
        return this;
    }

    @Override
    public HashMap<String, Object> invoke(File dir, VirtualChannel channel) throws IOException {
        Path workspace = dir.toPath();
        Path state = workspace.resolve(STATE_DIR);
        Path tmp = null;
        try {
            Path privateKey = null;
            Path publicKey = null;
            Path certificate = null;
            Path trustRoot = null;
            Path tagKey = null;
            tmp = ownerOnlyDirectory(workspace.resolveSibling(workspace.getFileName() + "@tmp"));
            if (keys.hasPrivateKey()) {
                // a PKCS#11 URI is the key's name, not its material: it is passed as such and the key stays in its token
                privateKey = keys.inToken() ? Path.of(new String(keys.privateKey(), StandardCharsets.UTF_8))
                        : ownerOnlyFile(tmp.resolve("release.key"), keys.privateKey());
            }
            if (keys.hasPublicKey()) {
                publicKey = ownerOnlyFile(tmp.resolve("release.pub.pem"), keys.publicKeyPem());
            }
            if (keys.hasCertificate()) {
                certificate = ownerOnlyFile(tmp.resolve("release.crt"), keys.certificatePem());
            }
            if (keys.hasTrustRoot()) {
                trustRoot = ownerOnlyFile(tmp.resolve("trusted-root"), keys.trustRoot());
            }
            if (tag != null) {
                tagKey = ownerOnlyFile(tmp.resolve("tag.asc"), tag.armoredKey());
            }
            StepEnvironment env = StepEnvironment.of(workspace, state, actor)
                    .credentials(Optional.ofNullable(registry).map(r -> new RegistryCredentials(r.username(), r.password())))
                    .progress(new LogProgress(listener));
            if (keys.hasKeySecret()) {
                // the key file's passphrase or the token's PIN, as the core reads it: from an owner-only file, never an argument
                Path secret = ownerOnlyFile(tmp.resolve("key-secret"), new String(keys.keySecret()).getBytes(StandardCharsets.UTF_8));
                env = env.keySecrets(new KeySecrets(System.getenv(), Optional.of(secret), Optional.of(secret)));
            }
            if (central.present()) {
                // the controller's policy, pinned by the controller: a team policy may only tighten it
                env = env.central(Optional.of(CentralPolicy.of(ownerOnlyFile(tmp.resolve("central-policy.yaml"),
                        central.yaml().getBytes(StandardCharsets.UTF_8)), central.pin())));
            }
            if (ledger.trusted()) {
                env = env.trust(Optional.of(trust(tmp))).eventSigner(signer(tmp));
            }
            return plain(run(env, privateKey, publicKey, certificate, trustRoot, tagKey));
        } catch (ReleaseGateException e) {
            // refusals and input errors fail the step with the core's message, without a stack trace
            throw new AbortException("[release-gate] " + command.stepName() + ": " + e.getMessage());
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
            if (tag != null) {
                java.util.Arrays.fill(tag.passphrase(), '\0');
            }
            java.util.Arrays.fill(ledger.passphrase(), '\0');
            java.util.Arrays.fill(keys.keySecret(), '\0');
        }
    }

    /** The ledger's trust configuration, written with its key lists into {@code dir}. */
    private Path trust(Path dir) throws IOException {
        if (!ledger.allowedSigners().isBlank()) {
            ownerOnlyFile(dir.resolve("allowed_signers"), (ledger.allowedSigners() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        if (!ledger.keyring().isBlank()) {
            ownerOnlyFile(dir.resolve("keyring.asc"), (ledger.keyring() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return ownerOnlyFile(dir.resolve("trust.yaml"), ledger.trustYaml());
    }

    /**
     * Who signs what this call records: the CI key for the pipeline's events, the controller's attestor for a person's
     * (only when the controller vouches for one in this call).
     */
    private Optional<EventSigner> signer(Path dir) throws IOException {
        EventSigner ci = EventSigner.fromFile(ownerOnlyFile(dir.resolve("event-key"), ledger.eventKey()), ledger.passphrase());
        if (attestor == null) {
            return Optional.of(ci);
        }
        return Optional.of(new EventSigner.Split(ci, new EventSigner.Delegated(attestor, "the Jenkins controller's attestor")));
    }

    private Map<String, Object> run(StepEnvironment env, Path privateKey, Path publicKey, Path certificate, Path trustRoot,
                                    Path tagKey) {
        TrustedInputs trusted = TrustedInputs.none().emergencyApprover(emergencyApprover);
        if (privateKey != null) {
            trusted = trusted.privateKey(privateKey);
        }
        if (publicKey != null) {
            trusted = trusted.publicKey(publicKey);
        }
        if (certificate != null) {
            trusted = trusted.certificate(certificate);
        }
        if (trustRoot != null) {
            trusted = trusted.trustRoot(trustRoot);
        }
        if (tagKey != null) {
            trusted = trusted.tag(tagKey, tag.passphrase(), access(tag));
        }
        return command.step().call(args, env, trusted);
    }

    /** The push login and the build's ssh, as the core pushes the tag (never logged: RemoteAccess hides the password). */
    private static RemoteAccess access(TagSecrets secrets) {
        RemoteAccess ssh = RemoteAccess.ssh(secrets.sshEnvironment());
        return secrets.hasLogin() ? ssh.withLogin(secrets.username(), secrets.password()) : ssh;
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static Path ownerOnlyDirectory(Path parent) throws IOException {
        Files.createDirectories(parent);
        if (posix()) {
            FileAttribute<?> rwx = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            return Files.createTempDirectory(parent, "release-gate-key", rwx);
        }
        return Files.createTempDirectory(parent, "release-gate-key");
    }

    private static Path ownerOnlyFile(Path file, byte[] content) throws IOException {
        if (posix()) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.write(file, content);
        return file;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Copies the core's result into plain serialisable collections (strings, numbers, booleans, lists, maps). */
    static HashMap<String, Object> plain(Map<?, ?> map) {
        HashMap<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), plainValue(v)));
        return out;
    }

    private static Object plainValue(Object v) {
        if (v instanceof Map<?, ?> m) {
            return plain(m);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(plainValue(x)));
            return out;
        }
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        return v.toString();
    }
}
