package io.releasegate.jenkins;

import hudson.AbortException;
import hudson.model.Run;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.RunAction2;
import org.jenkinsci.plugins.workflow.support.steps.input.ApproverAction;

/**
 * The release evidence of one build, shown on the build page ("Release evidence") and updated by
 * every Release Gate step: what was built (name, version, digest), its SBOM and provenance, signature
 * checks, gate results, approvals, promotions and production verification. The ledger stays the
 * source of truth; this is the build's own view of what it recorded there.
 */
public class ReleaseEvidenceAction implements RunAction2 {

    /** One recorded fact; kinds: signature, gate, approval, no-go, promotion, production, record, tag, audit, pipeline, report, other. */
    public static final class Entry {
        private final String kind;
        private final String summary;
        private final String actor;
        private final long timestamp;

        Entry(String kind, String summary, String actor, long timestamp) {
            this.kind = kind;
            this.summary = summary;
            this.actor = actor;
            this.timestamp = timestamp;
        }

        public String getKind() {
            return kind;
        }

        public String getSummary() {
            return summary;
        }

        public String getActor() {
            return actor;
        }

        public long getTimestamp() {
            return timestamp;
        }

        /** ISO-8601 UTC time, for the build page. */
        public String getTime() {
            return java.time.Instant.ofEpochMilli(timestamp).toString();
        }
    }

    private transient Run<?, ?> run;
    private String name = "";
    private String version = "";
    private String digest = "";
    private String reference = "";
    private String sbomDigest = "";
    private int sbomComponents;
    private String provenance = "";
    private String library = "";
    private List<Entry> entries = new ArrayList<>();
    /** How many of the build's {@link ApproverAction}s approveProduction has already used. */
    private int approversUsed;

    /** This build's evidence action, added on first use. */
    static ReleaseEvidenceAction of(Run<?, ?> run) {
        synchronized (run) {
            ReleaseEvidenceAction action = run.getAction(ReleaseEvidenceAction.class);
            if (action == null) {
                action = new ReleaseEvidenceAction();
                run.addAction(action);
            }
            return action;
        }
    }

    @Override
    public synchronized void onAttached(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public synchronized void onLoad(Run<?, ?> r) {
        this.run = r;
        if (entries == null) {
            entries = new ArrayList<>();
        }
    }

    public synchronized Run<?, ?> getRun() {
        return run;
    }

    @Override
    public String getIconFileName() {
        return "symbol-ribbon";
    }

    @Override
    public String getDisplayName() {
        return "Release evidence";
    }

    @Override
    public String getUrlName() {
        return "release-evidence";
    }

    public synchronized String getName() {
        return name;
    }

    public synchronized String getVersion() {
        return version;
    }

    public synchronized String getDigest() {
        return digest;
    }

    public synchronized String getReference() {
        return reference;
    }

    public synchronized String getSbomDigest() {
        return sbomDigest;
    }

    public synchronized int getSbomComponents() {
        return sbomComponents;
    }

    public synchronized String getProvenance() {
        return provenance;
    }

    public synchronized String getLibrary() {
        return library;
    }

    public synchronized List<Entry> getEntries() {
        return List.copyOf(entries);
    }

    /** The kinds of entries, in the order the build page shows them. */
    public List<String> getKinds() {
        return List.of("signature", "gate", "approval", "no-go", "promotion", "production", "record", "tag", "audit", "pipeline",
                "report", "other");
    }

    /** The entries of one kind, oldest first (for the build page). */
    public synchronized List<Entry> entriesOf(String kind) {
        return entries.stream().filter(e -> e.kind.equals(kind)).toList();
    }

    synchronized void built(String name, String version, String digest, String reference) throws IOException {
        this.name = name;
        this.version = version;
        this.digest = digest;
        this.reference = reference;
        save();
    }

    synchronized void sbom(String digest, int components) throws IOException {
        this.sbomDigest = digest;
        this.sbomComponents = components;
        save();
    }

    synchronized void provenance(String predicateType, String library) throws IOException {
        this.provenance = predicateType;
        this.library = library;
        save();
    }

    synchronized void record(String kind, String summary, String actor) throws IOException {
        entries.add(new Entry(kind, summary, actor, System.currentTimeMillis()));
        save();
    }

    /**
     * The user who submitted the latest {@code input} of this build that no approval has used yet,
     * as pipeline-input-step recorded it ({@link ApproverAction}). Marks it used before returning, so
     * one submission counts once even when the approval it carries is refused.
     */
    synchronized String takeApprover(Run<?, ?> build) throws IOException {
        return takeApprover(build, "approveProduction");
    }

    /** As {@link #takeApprover(Run)}, for {@code step} (approveProduction, or promoteDigest with an emergency change). */
    synchronized String takeApprover(Run<?, ?> build, String step) throws IOException {
        List<ApproverAction> approvers = build.getActions(ApproverAction.class);
        if (approvers.size() <= approversUsed) {
            throw new AbortException("[release-gate] " + step + ": no input was submitted by a signed-in user since the "
                    + (approversUsed == 0 ? "build started" : "last approval")
                    + "; the approver is whoever submits the input step, it cannot be passed as an argument");
        }
        approversUsed = approvers.size();
        save();
        return approvers.get(approvers.size() - 1).getUserId();
    }

    private void save() throws IOException {
        if (run != null) {
            run.save();
        }
    }
}
