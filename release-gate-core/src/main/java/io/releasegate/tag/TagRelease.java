package io.releasegate.tag;

import io.releasegate.ledger.EventType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.commits.BranchCheck;
import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.signing.OpenPgpSigner;
import io.releasegate.store.OciNames;
import io.releasegate.version.NextVersion;
import io.releasegate.version.SemVer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TagBuilder;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;

/**
 * Creates the release tag {@code vX.Y.Z}: annotated, OpenPGP-signed, on the commit the ledger
 * recorded as built for {@code name@version}, and pushes it. Refuses, each with its own rule: a tag
 * that exists (here or on the remote: release tags are never moved or recreated), a commit other
 * than the built one, a version that does not follow from the history, and a release without a
 * {@code built} event. Records a {@code tagged} event.
 */
public final class TagRelease {

    public static final String EVENT_TYPE = EventType.TAGGED.wire();

    /** What was tagged. */
    public record Result(String tag, String commit, String tagObject, String signer, boolean pushed, String eventId) {
    }

    private final History history;
    private final Ledger ledger;
    private String name;
    private String version;
    private Optional<String> commit = Optional.empty();
    private Optional<String> branch = Optional.empty();
    private NextVersion.Scheme scheme = NextVersion.Scheme.SEMVER;
    private OpenPgpSigner signer;
    private String actor;
    private PersonIdent tagger;
    private Optional<String> remote = Optional.empty();
    private RemoteAccess access = RemoteAccess.fromEnvironment();
    private Clock clock = Clock.systemUTC();

    public TagRelease(History history, Ledger ledger) {
        this.history = Objects.requireNonNull(history, "history");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    public TagRelease name(String value) {
        this.name = value;
        return this;
    }

    public TagRelease version(String value) {
        this.version = value;
        return this;
    }

    /** The commit to tag; must be the one recorded as built. Default: the built commit. */
    public TagRelease commit(Optional<String> value) {
        this.commit = Objects.requireNonNull(value);
        return this;
    }

    public TagRelease branch(Optional<String> value) {
        this.branch = Objects.requireNonNull(value);
        return this;
    }

    public TagRelease scheme(NextVersion.Scheme value) {
        this.scheme = Objects.requireNonNull(value);
        return this;
    }

    public TagRelease signer(OpenPgpSigner value) {
        this.signer = Objects.requireNonNull(value);
        return this;
    }

    /** Who tags (CI); also the tagger identity's name. */
    public TagRelease actor(String value, String email) {
        this.actor = value;
        this.tagger = new PersonIdent(value, email);
        return this;
    }

    /** Remote to push the tag to (a URL or a configured remote name). */
    public TagRelease remote(Optional<String> value) {
        this.remote = Objects.requireNonNull(value);
        return this;
    }

    /** How to reach the remote (credentials, ssh program). Default: ssh as git would choose it, no credentials. */
    public TagRelease access(RemoteAccess value) {
        this.access = Objects.requireNonNull(value);
        return this;
    }

    public TagRelease clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        if (name == null || actor == null || signer == null) {
            throw new InputException("tag needs a name, an actor and a signing key");
        }
        OciNames.repository(name);
        SemVer v = SemVer.parse(version);
        String tag = "v" + v;
        String subject = name + "@" + v;
        Repository repo = history.repository();

        // 1. never move or recreate a release tag
        if (existsLocally(repo, tag)) {
            throw exists(tag, "this repository");
        }
        remote.ifPresent(r -> {
            if (existsRemotely(repo, r, tag, access)) {
                throw exists(tag, r);
            }
        });

        // 2. the evidence: a built event naming the commit
        Event built = ledger.events(subject).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .orElseThrow(() -> new RefusedException(new Refusal("tag.evidence-built",
                        "the ledger " + ledger.location() + " has no 'built' event for " + subject,
                        "build and publish it with buildOnce first; a release tag names what was built")));
        String builtCommit = built.text("commit").orElseThrow(() -> new RefusedException(new Refusal("tag.evidence-built",
                "the 'built' event " + built.id() + " of " + subject + " records no source commit",
                "run buildOnce in the release's git workspace so that the commit is recorded")));
        ObjectId target = history.resolve(commit.orElse(builtCommit));
        if (!target.name().equals(builtCommit)) {
            throw new RefusedException(new Refusal("tag.built-commit",
                    tag + " would point at " + target.name() + " but " + subject + " was built from " + builtCommit,
                    "tag the commit that was built (" + builtCommit + "), or build this commit as a new version"));
        }

        // a hotfix must start at the production tag and carry nothing from main
        Optional<String> onBranch = branch.isPresent() ? branch : history.currentBranch();
        if (onBranch.isPresent() && onBranch.get().startsWith("hotfix/")) {
            BranchCheck.Result check = new BranchCheck(history).branch(onBranch.get()).rev(target.name()).call();
            if (!check.ok()) {
                throw new RefusedException(check.violations().stream().map(violation -> new Refusal(violation.rule(), violation.message(),
                        "cut the hotfix branch from the production tag and cherry-pick only the fix")).toList());
            }
        }

        // 3. the version must follow from the history at that commit
        NextVersion.Result expected = new NextVersion(history).rev(target.name()).branch(branch).scheme(scheme).clock(clock).call();
        if (!follows(v, expected)) {
            throw new RefusedException(new Refusal("tag.version-from-history",
                    "the history at " + target.name().substring(0, 12) + " calls for " + expected.version() + " ("
                            + expected.reason() + "), not " + v,
                    "release " + expected.version() + " instead, or add the commits that justify " + v));
        }

        // 4. the signed annotated tag, created only if absent (compare-and-swap on the ref)
        String digest = built.digest().map(Object::toString).orElse("-");
        TagBuilder tb = new TagBuilder();
        tb.setObjectId(target, Constants.OBJ_COMMIT);
        tb.setTag(tag);
        PersonIdent who = new PersonIdent(tagger, clock.instant(), ZoneOffset.UTC);
        tb.setTagger(who);
        tb.setMessage("Release " + tag + "\n\n"
                + "version: " + v + "\n"
                + "commit: " + target.name() + "\n"
                + "artifact: " + name + ":" + OciNames.tagForVersion(v.toString()) + " " + digest + "\n");
        String signature;
        try {
            signature = signer.sign(tb.build(), Date.from(clock.instant()));
        } catch (java.io.UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
        tb.setGpgSignature(new GpgSignature(signature.getBytes(StandardCharsets.US_ASCII)));
        ObjectId tagObject;
        try (ObjectInserter ins = repo.newObjectInserter()) {
            tagObject = ins.insert(tb);
            ins.flush();
            RefUpdate ru = repo.updateRef(Constants.R_TAGS + tag);
            ru.setNewObjectId(tagObject);
            ru.setExpectedOldObjectId(ObjectId.zeroId());
            RefUpdate.Result r = ru.update();
            if (r != RefUpdate.Result.NEW) {
                throw exists(tag, "this repository (created concurrently: " + r + ")");
            }
        } catch (IOException e) {
            throw new InputException("cannot write tag " + tag + ": " + e.getMessage(), e);
        }

        // 5. push, never forced; a rejected push takes the local tag back
        boolean pushed = false;
        if (remote.isPresent()) {
            pushed = push(repo, remote.get(), tag, tagObject, access);
        }

        ObjectNode payload = Json.object();
        payload.put("tag", tag);
        payload.put("commit", target.name());
        payload.put("tagObject", tagObject.name());
        payload.put("signer", signer.fingerprint());
        signer.userId().ifPresent(u -> payload.put("signerUserId", u));
        remote.ifPresent(r -> payload.put("remote", r));
        Event event = ledger.append(Event.draft(EVENT_TYPE, subject, built.digest(), actor, clock.instant(), payload));
        return new Result(tag, target.name(), tagObject.name(), signer.fingerprint(), pushed, event.id());
    }

    /** Exactly the expected version, or a pre-release of it (e.g. 1.4.0-rc.2 while 1.4.0 is due). */
    private static boolean follows(SemVer requested, NextVersion.Result expected) {
        SemVer want = SemVer.parse(expected.version());
        if (requested.equals(want)) {
            return true;
        }
        SemVer core = new SemVer(want.major(), want.minor(), want.patch(), List.of(), Optional.empty());
        return requested.isPreRelease() && requested.major().equals(core.major()) && requested.minor().equals(core.minor())
                && requested.patch().equals(core.patch());
    }

    private static RefusedException exists(String tag, String where) {
        return new RefusedException(new Refusal("tag.immutable",
                "release tag " + tag + " already exists in " + where,
                "release tags are never moved or recreated: release a new version instead"));
    }

    private static boolean existsLocally(Repository repo, String tag) {
        try {
            return repo.exactRef(Constants.R_TAGS + tag) != null;
        } catch (IOException e) {
            throw new InputException("cannot read tags: " + e.getMessage(), e);
        }
    }

    private static boolean existsRemotely(Repository repo, String remote, String tag, RemoteAccess access) {
        try (Transport t = open(repo, remote, access); var conn = t.openFetch()) {
            Ref ref = conn.getRef(Constants.R_TAGS + tag);
            return ref != null;
        } catch (IOException | java.net.URISyntaxException e) {
            throw new InputException("cannot reach remote " + remote + ": " + e.getMessage(), e);
        }
    }

    private static Transport open(Repository repo, String remote, RemoteAccess access)
            throws IOException, java.net.URISyntaxException {
        Transport t = Transport.open(repo, remoteUri(repo, remote));
        access.configure(t);
        return t;
    }

    private static boolean push(Repository repo, String remote, String tag, ObjectId tagObject, RemoteAccess access) {
        try (Transport t = open(repo, remote, access)) {
            RemoteRefUpdate u = new RemoteRefUpdate(repo, Constants.R_TAGS + tag, Constants.R_TAGS + tag, false, null,
                    ObjectId.zeroId());
            PushResult result = t.push(NullProgressMonitor.INSTANCE, List.of(u));
            RemoteRefUpdate.Status status = result.getRemoteUpdate(Constants.R_TAGS + tag).getStatus();
            if (status == RemoteRefUpdate.Status.OK) {
                return true;
            }
            deleteLocal(repo, tag);
            if (status == RemoteRefUpdate.Status.REJECTED_REMOTE_CHANGED || status == RemoteRefUpdate.Status.REJECTED_NONFASTFORWARD
                    || status == RemoteRefUpdate.Status.REJECTED_OTHER_REASON) {
                throw exists(tag, remote + " (push rejected: " + status + ")");
            }
            throw new InputException("pushing " + tag + " to " + remote + " failed: " + status);
        } catch (IOException | java.net.URISyntaxException e) {
            deleteLocal(repo, tag);
            throw new InputException("cannot push " + tag + " to " + remote + ": " + e.getMessage(), e);
        }
    }

    private static void deleteLocal(Repository repo, String tag) {
        try {
            RefUpdate d = repo.updateRef(Constants.R_TAGS + tag);
            d.setForceUpdate(true);
            d.delete();
        } catch (IOException ignored) {
            // the push failure is the error to report
        }
    }

    private static URIish remoteUri(Repository repo, String remote) throws java.net.URISyntaxException {
        String configured = repo.getConfig().getString("remote", remote, "url");
        return new URIish(configured != null ? configured : remote);
    }
}
