package io.releasegate.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.ListBoxModel;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.structs.describable.DescribableModel;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code releaseGate(command: 'gate', args: [name: 'payments', version: '1.4.0', sarif: 'build/sast.sarif'])}:
 * the core's other entry points, by the names the golden pipeline uses (plan, gate, sign, provenance, tag,
 * release-record, library-check, approval-status, no-go, verify-production, next-version, evidence, audit, record-run,
 * report; camelCase spellings too), each taking the map of arguments its core entry point documents and returning its result map. Secrets
 * come from credentials ids ({@code signingKey}, {@code passphraseCredentials}, {@code gitCredentials}, and
 * {@code storeCredentials} in {@code args}) or the global configuration; identity and the loaded library from
 * the build.
 */
public class ReleaseGateStep extends Step {

    private final String command;
    private String signingKey = "";
    private String signingCertificate = "";
    private String passphraseCredentials = "";
    private String gitCredentials = "";
    private Map<String, Object> args = new LinkedHashMap<>();

    @DataBoundConstructor
    public ReleaseGateStep(String command) {
        this.command = command == null ? "" : command.trim();
    }

    public String getCommand() {
        return command;
    }

    public String getSigningKey() {
        return signingKey;
    }

    /** Credentials id of the release signing key (sign, provenance); default: the global configuration's. */
    @DataBoundSetter
    public void setSigningKey(String signingKey) {
        this.signingKey = signingKey == null ? "" : signingKey.trim();
    }

    public String getSigningCertificate() {
        return signingCertificate;
    }

    /**
     * Credentials id of the signing certificate (sign in certificate mode): Certificate credentials with the key and its
     * chain, or a secret file / secret text with the PEM certificate (then {@code signingKey} holds the key); default:
     * the global configuration's. Set, the release is signed with the certificate and a Sigstore bundle is stored.
     */
    @DataBoundSetter
    public void setSigningCertificate(String signingCertificate) {
        this.signingCertificate = signingCertificate == null ? "" : signingCertificate.trim();
    }

    public String getPassphraseCredentials() {
        return passphraseCredentials;
    }

    /**
     * Secret text credentials id of the passphrase of the key the command signs with: the tag signing key's (tag), or the
     * release signing key's passphrase or PKCS#11 PIN (sign, provenance); default: the global configuration's, else none.
     */
    @DataBoundSetter
    public void setPassphraseCredentials(String passphraseCredentials) {
        this.passphraseCredentials = passphraseCredentials == null ? "" : passphraseCredentials.trim();
    }

    public String getGitCredentials() {
        return gitCredentials;
    }

    /** tag: username/password credentials id for pushing the tag to an http(s) remote; default none (ssh: the agent's). */
    @DataBoundSetter
    public void setGitCredentials(String gitCredentials) {
        this.gitCredentials = gitCredentials == null ? "" : gitCredentials.trim();
    }

    /** The command's arguments (not a form field: a map, given in the Pipeline script). */
    public Map<String, Object> getArgs() {
        return args;
    }

    void args(Map<?, ?> values) {
        this.args = CoreCallable.plain(values);
    }

    @Override
    public StepExecution start(StepContext context) throws AbortException {
        Command c = Command.forReleaseGate(command).orElseThrow(() -> new AbortException("[release-gate] releaseGate: unknown command '"
                + command + "'; commands: " + Command.releaseGateNames()));
        return new Execution(this, c, context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;

        /** The step as the script gave it (a synchronous execution does not survive a restart: not persisted). */
        private final transient ReleaseGateStep step;
        private final Command command;

        Execution(ReleaseGateStep step, Command command, StepContext context) {
            super(context);
            this.step = step;
            this.command = command;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            CoreRun call = new CoreRun(getContext(), command);
            Run<?, ?> run = call.run();
            TaskListener listener = call.listener();
            // a no-go is the decision of whoever rejected the approval input, as Jenkins recorded it; else the releaser's
            String actor = command == Command.NO_GO ? Identities.rejecter(run).orElseGet(() -> Identities.releaser(run))
                    : Identities.releaser(run);
            ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
            Map<String, Object> a = new LinkedHashMap<>(step.args);
            String signingKey = step.signingKey;
            String store = text(a.remove("store"));
            String ledger = text(a.remove("ledger"));
            call.storeCredentials(text(a.remove("storeCredentials")));
            String release = a.get("name") == null ? "" : command == Command.RECORD_RUN
                    ? io.releasegate.report.PipelineRun.SUBJECT_PREFIX + text(a.get("name")) : text(a.get("name")) + "@" + text(a.get("version"));
            Optional<Libraries.Loaded> library = Optional.empty();
            switch (command) {
                case SIGN -> {
                    String certificateId = step.signingCertificate.isEmpty() ? config.getSigningCertificateCredentialsId()
                            : step.signingCertificate;
                    if (!certificateId.isEmpty()) {
                        // certificate mode: the key comes with Certificate credentials, else from the signing key
                        KeyMaterial certificate = Secrets.signingCertificate(run, certificateId);
                        call.keys(certificate.hasPrivateKey() ? certificate
                                : Secrets.signingKey(run, signingKeyId(config), keySecretId(config))
                                        .withCertificate(certificate.certificatePem()));
                    } else {
                        KeyMaterial key = Secrets.signingKey(run, signingKeyId(config), keySecretId(config));
                        call.keys(key.hasPublicKey() ? key : key.withPublicKey(Secrets.publicKey(run, config, Optional.of(key))));
                    }
                }
                // the evidence bundle's index is signed with the release key, like the artifact
                case EVIDENCE -> call.keys(Secrets.signingKey(run, signingKeyId(config), keySecretId(config)));
                case PROVENANCE -> {
                    call.keys(Secrets.signingKey(run, signingKeyId(config), keySecretId(config)));
                    // the library that ran this build, as Jenkins loaded it, not as the script describes itself
                    String wanted = a.get("libraryName") == null ? "golden" : text(a.get("libraryName"));
                    library = Libraries.named(run, wanted);
                    if (library.isPresent()) {
                        a.put("libraryName", library.get().name());
                        a.put("libraryVersion", library.get().version());
                    } else {
                        listener.getLogger().println("[release-gate] provenance: this build loaded no library '" + wanted + "'");
                        a.put("libraryVersion", "unknown");
                    }
                    // who built it and which build: the job and build URLs (docs/provenance.md), from Jenkins, not the script
                    EnvVars env = getContext().get(EnvVars.class);
                    if (env != null && a.get("repository") == null && env.get("GIT_URL") != null) {
                        a.put("repository", env.get("GIT_URL"));
                    }
                    String root = Jenkins.get().getRootUrl();
                    a.put("builderId", root == null ? "jenkins:" + run.getParent().getFullName() : root + run.getParent().getUrl());
                    a.put("invocationId", root == null ? "jenkins:" + run.getExternalizableId() : root + run.getUrl());
                }
                case VERIFY_SIGNATURES -> {
                    Map<String, Object> certificateArgs = new HashMap<>();
                    io.releasegate.steps.VerifyCertificateArgs.CERTIFICATE_ARGS.forEach(k -> {
                        if (a.containsKey(k)) {
                            certificateArgs.put(k, a.remove(k));
                        }
                    });
                    call.keys(VerifySignaturesStep.trust(run, signingKey, certificateArgs));
                    a.putAll(certificateArgs);
                }
                case TAG -> {
                    EnvVars env = getContext().get(EnvVars.class);
                    call.tag(Secrets.tag(run, tagKeyId(config), step.passphraseCredentials.isEmpty()
                            ? config.getTagSigningPassphraseCredentialsId() : step.passphraseCredentials, step.gitCredentials,
                            env == null ? Map.<String, String>of() : env));
                }
                case LIBRARY_CHECK -> {
                    // the library this build loaded and the ref Jenkins loaded it from, not what the script says
                    String wanted = a.get("libraryName") == null ? "golden" : text(a.get("libraryName"));
                    library = Libraries.named(run, wanted);
                    a.put("libraryName", wanted);
                    a.put("libraryVersion", library.map(Libraries.Loaded::version).orElse(""));
                    if (library.isEmpty()) {
                        listener.getLogger().println("[release-gate] library-check: this build loaded no library '" + wanted + "'");
                    } else if (library.get().overridable().orElse(false)) {
                        listener.getLogger().println("[release-gate] library-check: library '" + wanted + "' allows the "
                                + "Jenkinsfile to choose its version; " + library.get().describe());
                    }
                }
                case RECORD_RUN -> {
                    // which build this was: Jenkins knows its own URL; the script's value is kept only when Jenkins has no root URL
                    String root = Jenkins.get().getRootUrl();
                    if (root != null) {
                        a.put("run", root + run.getUrl());
                    } else if (a.get("run") == null) {
                        a.put("run", "jenkins:" + run.getExternalizableId());
                    }
                }
                default -> {
                    // plan, gate, noGo, verifyProduction, approvalStatus, releaseRecord, audit and report take no secrets; recordRun's
                    // event is signed with the ledger's CI key like every pipeline event
                }
            }
            listener.getLogger().println("[release-gate] " + command.stepName() + (release.isEmpty() ? "" : " " + release)
                    + " as " + actor);
            if (command == Command.NO_GO) {
                // a no-go in the name of whoever the build says took it: the controller vouches for that, and nothing else
                call.attests(io.releasegate.ledger.EventType.DECISION.wire(), actor, text(a.get("name")), text(a.get("version")),
                        text(a.get("digest")));
            }
            if (command.historyOnly()) {
                // read the git history and the policy only: no store, no ledger, nothing to record
                return call.args(a).actor(actor).call();
            }
            ReleaseEvidenceAction evidence = ReleaseEvidenceAction.of(run);
            Map<String, Object> result;
            try {
                result = call.args(a).locations(store, ledger).actor(actor).call();
            } catch (AbortException e) {
                evidence.record(kind(), release + ": " + e.getMessage(), actor);
                throw e;
            }
            switch (command) {
                case PROVENANCE -> {
                    String lib = library.map(Libraries.Loaded::describe).orElse("no library recorded");
                    result.put("library", lib);
                    result.put("libraryPinned", library.map(Libraries.Loaded::pinned).orElse(false));
                    evidence.provenance(text(result.get("predicateType")), lib);
                }
                case SIGN -> evidence.record("signature", release + ": signed (event " + result.get("event") + ")"
                        + ("certificate".equals(result.get("mode")) ? " with the certificate of " + result.get("identity") : ""), actor);
                case GATE -> evidence.record("gate", release + ": " + result.get("summary"), actor);
                case NO_GO -> evidence.record("no-go", release + ": " + a.get("reason"), actor);
                case VERIFY_PRODUCTION -> evidence.record("production", release + ": "
                        + (Boolean.TRUE.equals(result.get("ok")) ? "verified" : "problems " + result.get("problems")), actor);
                case VERIFY_SIGNATURES -> evidence.record("signature", release + ": verified" + VerifySignaturesStep.verified(result), actor);
                case RELEASE_RECORD -> evidence.record("record", release + ": release record of " + result.get("digest"), actor);
                case EVIDENCE -> evidence.record("record", release + ": evidence bundle " + result.get("bundle") + " (sha256 "
                        + result.get("sha256") + (Boolean.TRUE.equals(result.get("complete")) ? ")" : "; missing " + result.get("missing") + ")"),
                        actor);
                case AUDIT -> evidence.record("audit", release + ": " + (Boolean.TRUE.equals(result.get("ok")) ? "still verifies against the store"
                        : "findings " + result.get("findings")), actor);
                case TAG -> evidence.record("tag", release + ": " + result.get("tag") + " on " + result.get("commit") + " ("
                        + result.get("outcome") + (Boolean.TRUE.equals(result.get("pushed")) ? ", pushed" : "") + ")", actor);
                case RECORD_RUN -> evidence.record("pipeline", release + ": " + a.get("result") + " on " + a.get("branch") + " in "
                        + a.get("durationMs") + " ms (event " + result.get("event") + ")", actor);
                case REPORT -> evidence.record("report", "delivery report " + result.get("from") + " to " + result.get("to") + ": "
                        + result.get("deployments") + " production deployments of " + result.get("services") + " services, written to "
                        + result.get("json") + " and " + result.get("html"), actor);
                case APPROVAL_STATUS -> {
                    // a read: nothing new to show
                }
                default -> evidence.record(kind(), release + ": " + result, actor);
            }
            return result;
        }

        private String kind() {
            return switch (command) {
                case SIGN, VERIFY_SIGNATURES -> "signature";
                case GATE -> "gate";
                case NO_GO -> "no-go";
                case VERIFY_PRODUCTION -> "production";
                case RELEASE_RECORD -> "record";
                case TAG -> "tag";
                default -> "other";
            };
        }

        private String tagKeyId(ReleaseGateConfiguration config) throws AbortException {
            String id = step.signingKey.isEmpty() ? config.getTagSigningKeyCredentialsId() : step.signingKey;
            if (id.isEmpty()) {
                throw new AbortException("[release-gate] tag needs an OpenPGP signing key: pass signingKey: '<credentials id>' "
                        + "(the golden pipeline's tagSigningKey) or set the default tag signing key under Manage Jenkins » System "
                        + "» Release Gate");
            }
            return id;
        }

        /** The release signing key's passphrase or PIN: the step's passphrase credentials, else the controller's. */
        private String keySecretId(ReleaseGateConfiguration config) {
            return step.passphraseCredentials.isEmpty() ? config.getSigningKeyPassphraseCredentialsId() : step.passphraseCredentials;
        }

        private String signingKeyId(ReleaseGateConfiguration config) throws AbortException {
            String id = step.signingKey.isEmpty() ? config.getSigningKeyCredentialsId() : step.signingKey;
            if (id.isEmpty()) {
                throw new AbortException("[release-gate] " + command.stepName() + " needs a signing key: pass signingKey: "
                        + "'<credentials id>' or set the default under Manage Jenkins » System » Release Gate");
            }
            return id;
        }
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    @Extension
    @Symbol("releaseGate")
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, Run.class, TaskListener.class, EnvVars.class);
        }

        @Override
        public String getFunctionName() {
            return "releaseGate";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return "Release Gate: plan, gate, sign, provenance, tag, release record, library check, approval status, no-go, "
                    + "verify production, evidence, audit, record run, delivery report";
        }

        /**
         * {@code args} is a map, which data binding does not support: take it out, bind the rest as usual.
         * (The Pipeline engine calls this override when a descriptor declares it.)
         */
        @Override
        @SuppressWarnings("deprecation")
        public Step newInstance(Map<String, Object> arguments) throws Exception {
            Map<String, Object> rest = new HashMap<>(arguments);
            Object values = rest.remove("args");
            ReleaseGateStep step = DescribableModel.of(ReleaseGateStep.class).instantiate(rest, null);
            if (values instanceof Map<?, ?> m) {
                step.args(m);
            } else if (values != null) {
                throw new IllegalArgumentException("releaseGate: args must be a map, e.g. args: [name: 'payments', version: '1.4.0']");
            }
            return step;
        }

        public ListBoxModel doFillCommandItems() {
            ListBoxModel items = new ListBoxModel();
            for (Command c : Command.values()) {
                if (c.generic()) {
                    items.add(c.commandName());
                }
            }
            return items;
        }
    }
}
