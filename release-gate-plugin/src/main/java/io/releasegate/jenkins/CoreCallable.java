package io.releasegate.jenkins;

import hudson.AbortException;
import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import io.releasegate.error.ReleaseGateException;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.steps.PipelineSteps;
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
 * values. Key material (and, in certificate mode, the certificate and the trust root) is written to an owner-only
 * temporary directory next to the workspace
 * ({@code WORKSPACE@tmp}, the directory Jenkins uses for such files) and deleted before returning.
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
    private final String defaultPolicy;
    private final TaskListener listener;
    private TagSecrets tag;
    private String emergencyApprover = "";

    CoreCallable(Command command, Map<String, Object> args, String actor, KeyMaterial keys, Optional<RegistryLogin> registry,
                 String defaultPolicy, TaskListener listener) {
        this.command = command;
        this.args = new HashMap<>(args);
        this.actor = actor;
        this.keys = keys;
        this.registry = registry.orElse(null);
        this.defaultPolicy = defaultPolicy;
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

    @Override
    public HashMap<String, Object> invoke(File dir, VirtualChannel channel) throws IOException {
        Path workspace = dir.toPath();
        Path state = workspace.resolve(STATE_DIR);
        Path tmp = null;
        Path policy = workspace.resolve(PolicyLoader.TEAM_POLICY);
        boolean policyWritten = false;
        try {
            if (!defaultPolicy.isEmpty() && !Files.exists(policy)) {
                // the controller's default policy stands in for a repository without one, for this call only
                Path policyDir = policy.getParent();
                if (policyDir != null) {
                    Files.createDirectories(policyDir);
                }
                Files.writeString(policy, defaultPolicy, StandardCharsets.UTF_8);
                policyWritten = true;
                listener.getLogger().println("[release-gate] policy: the controller's default (no " + PolicyLoader.TEAM_POLICY
                        + " in the workspace)");
            }
            Path privateKey = null;
            Path publicKey = null;
            Path certificate = null;
            Path trustRoot = null;
            Path tagKey = null;
            if (keys.hasPrivateKey() || keys.hasPublicKey() || keys.hasCertificate() || keys.hasTrustRoot() || tag != null) {
                tmp = ownerOnlyDirectory(workspace.resolveSibling(workspace.getFileName() + "@tmp"));
                if (keys.hasPrivateKey()) {
                    privateKey = ownerOnlyFile(tmp.resolve("release.pem"), keys.privateKeyPem());
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
            }
            return plain(run(workspace, state, privateKey, publicKey, certificate, trustRoot, tagKey));
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
            if (policyWritten) {
                Files.deleteIfExists(policy);
            }
        }
    }

    private Map<String, Object> run(Path workspace, Path state, Path privateKey, Path publicKey, Path certificate, Path trustRoot,
                                    Path tagKey) {
        Optional<RegistryCredentials> login = Optional.ofNullable(registry)
                .map(r -> new RegistryCredentials(r.username(), r.password()));
        return switch (command) {
            case BUILD_ONCE -> PipelineSteps.buildOnce(args, workspace, state, actor, login, new LogProgress(listener));
            case GENERATE_SBOM -> PipelineSteps.generateSbom(args, workspace, state, actor, login);
            case SIGN -> certificate != null
                    ? PipelineSteps.signWithCertificate(args, state, need(privateKey, "private"), certificate, Optional.empty(), actor, login)
                    : PipelineSteps.sign(args, state, need(privateKey, "private"), need(publicKey, "public"), actor, login);
            case VERIFY_SIGNATURES -> args.keySet().stream().anyMatch(PipelineSteps.CERTIFICATE_ARGS::contains)
                    ? PipelineSteps.verifySignaturesWithCertificate(args, state, Optional.ofNullable(trustRoot), actor, login)
                    : PipelineSteps.verifySignatures(args, state, need(publicKey, "public"), actor, login);
            case PROVENANCE -> PipelineSteps.provenance(args, state, need(privateKey, "private"), actor, login);
            case GATE -> PipelineSteps.gate(args, workspace, state, actor, login);
            case APPROVE_PRODUCTION -> PipelineSteps.approveProduction(args, workspace, state, actor, login);
            case NO_GO -> PipelineSteps.noGo(args, state, actor, login);
            case PROMOTE_DIGEST -> PipelineSteps.promoteDigest(args, workspace, state, actor, login,
                    Optional.of(emergencyApprover).filter(a -> !a.isEmpty()));
            case VERIFY_PRODUCTION -> PipelineSteps.verifyProduction(args, workspace, state, actor, login);
            case NEXT_VERSION -> PipelineSteps.nextVersion(args, workspace);
            case RELEASE_RECORD -> PipelineSteps.releaseRecord(args, workspace, state, login);
            case PLAN -> PipelineSteps.plan(args, workspace);
            case LIBRARY_CHECK -> PipelineSteps.libraryCheck(args, workspace);
            case APPROVAL_STATUS -> PipelineSteps.approvalStatus(args, workspace, state);
            case TAG -> PipelineSteps.tagRelease(args, workspace, state, need(tagKey, "OpenPGP tag signing"), tag.passphrase(),
                    actor, access(tag));
        };
    }

    /** The push login and the build's ssh, as the core pushes the tag (never logged: RemoteAccess hides the password). */
    private static RemoteAccess access(TagSecrets secrets) {
        RemoteAccess ssh = RemoteAccess.ssh(secrets.sshEnvironment());
        return secrets.hasLogin() ? ssh.withLogin(secrets.username(), secrets.password()) : ssh;
    }

    private Path need(Path key, String which) {
        if (key == null) {
            throw new IllegalStateException(command.stepName() + " needs the " + which + " key");
        }
        return key;
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
