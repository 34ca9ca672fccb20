package io.releasegate.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.error.ReleaseGateException;
import io.releasegate.json.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The ledger as a git repository: one commit per event on {@code refs/heads/main}, each commit's
 * tree holding one {@code event.json}. Appends are compare-and-swap ref updates (a local ref update
 * with the expected old id, or a push with the expected old id to a remote) retried on a moved head;
 * nothing is ever forced. The head last seen is kept in a witness file outside the repository; a
 * history that no longer descends from it is refused (rule {@code ledger.append-only}).
 *
 * <pre>{@code
 * try (GitLedger ledger = GitLedger.open(GitLedger.Options.of(""))) {   // embedded, in .release-gate
 *     Event e = ledger.append(Event.draft("built", "payments@1.4.0", Optional.of(digest), "ci", now, payload));
 * }
 * }</pre>
 *
 * <p>The local ledger repositories it creates are also configured to refuse non-fast-forward pushes and
 * branch deletions ({@code receive.denyNonFastForwards}, {@code receive.denyDeletes}) and to keep a
 * reflog of {@code main}, so that a team sharing one over plain git cannot rewrite it by accident either.
 */
public final class GitLedger implements Ledger {

    public static final String BRANCH = "refs/heads/main";
    static final String EVENT_FILE = "event.json";
    private static final String TRACKING = "refs/remotes/ledger/main";
    /** How long an append keeps retrying a head that other writers keep moving before it gives up. */
    private static final java.time.Duration APPEND_PATIENCE = java.time.Duration.ofMinutes(5);
    /** Seconds a remote may stay silent before a fetch or push gives up. */
    private static final int TRANSPORT_TIMEOUT = 120;
    /** Where a local ledger's trial trust is kept: inside the bare repository, outside its history. */
    static final String TRIAL_DIR = "release-gate-trial";
    private static final Pattern SCP_LIKE = Pattern.compile("^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+:.+");

    private final String location;
    private final Repository repo;
    private final Optional<URIish> remote;
    private final Path witness;
    private final ProgramSshSessionFactory ssh;
    private final Options options;
    private final Supplier<Path> trialDir;
    private LedgerTrust trust;
    /** The open transport to the remote, if any. */
    private Transport connection;
    private Optional<EventSigner> signer = Optional.empty();
    private final Map<ObjectId, Entry> parsed = new java.util.concurrent.ConcurrentHashMap<>();
    /** Commits whose position in the history is known: the number of events up to and including them. */
    private final Map<ObjectId, Long> sizes = new HashMap<>();
    /** Commits whose first event is known. */
    private final Map<ObjectId, ObjectId> roots = new HashMap<>();
    /** Whether this process checked the ledger against the newest published checkpoint. */
    private boolean checkpointsChecked;

    /** Seconds this ledger's remote may stay silent: {@link #TRANSPORT_TIMEOUT}, shorter in tests. */
    private int transportTimeout = TRANSPORT_TIMEOUT;

    /** Gives up on a remote silent for {@code seconds} (tests: a remote that answers too late). */
    GitLedger transportTimeout(int seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("a transport timeout is at least 1 s");
        }
        this.transportTimeout = seconds;
        return this;
    }

    private GitLedger(String location, Repository repo, Optional<URIish> remote, Path witness, Options options,
                      Supplier<Path> trialDir) {
        this.location = location;
        this.repo = repo;
        this.remote = remote;
        this.witness = witness;
        this.ssh = new ProgramSshSessionFactory(options.sshCommand());
        this.options = options;
        this.trialDir = trialDir;
    }

    /** The trust, read (or, in trial mode, made) when first needed: nothing is created for a ledger never reached. */
    private LedgerTrust resolveTrust() {
        if (trust == null) {
            if (options.trust().isPresent()) {
                trust = LedgerTrust.load(options.trust().get());
                signer = options.signer();
            } else {
                LedgerTrust.Trial trial = LedgerTrust.trial(trialDir.get());
                trust = trial.trust();
                signer = Optional.of(options.signer().orElse(trial.signer()));
            }
        }
        return trust;
    }

    /**
     * Where a ledger is and how to reach it.
     *
     * @param uri        empty for the embedded ledger {@code <stateDir>/ledger.git}; a local path for a bare
     *                   repository there (created when missing or empty); or a git remote URL ({@code file://},
     *                   {@code ssh://}, {@code https://}, {@code http://}, {@code git@host:path}), cached under
     *                   the state directory
     * @param stateDir   local state: the embedded ledger, remote caches and the witnesses of heads last seen
     * @param sshCommand the program, with any leading arguments, that opens ssh connections; it is run as
     *                   {@code PROGRAM [-p PORT] [USER@]HOST COMMAND}
     * @param trust      the trust configuration ({@link LedgerTrust}) that says whose signed events are believed;
     *                   empty for trial mode
     * @param signer     the key that signs the events this process appends; in trial mode the trial key by default
     * @param checkpoints where signed checkpoints of the head are published with every event signed by the CI
     *                   identity, and checked on the first read; empty for none
     */
    public record Options(String uri, Path stateDir, List<String> sshCommand, Optional<Path> trust,
                          Optional<EventSigner> signer, Optional<CheckpointStore> checkpoints) {

        /** The state directory when none is given: {@code .release-gate} in the working directory. */
        public static final Path DEFAULT_STATE_DIR = Path.of(".release-gate");

        public Options {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(stateDir, "stateDir");
            sshCommand = List.copyOf(sshCommand);
            if (sshCommand.isEmpty() || sshCommand.get(0).isBlank()) {
                throw new IllegalArgumentException("the ssh command is empty");
            }
            Objects.requireNonNull(trust, "trust");
            Objects.requireNonNull(signer, "signer");
            Objects.requireNonNull(checkpoints, "checkpoints");
        }

        public Options(String uri, Path stateDir, List<String> sshCommand) {
            this(uri, stateDir, sshCommand, Optional.empty(), Optional.empty(), Optional.empty());
        }

        /** {@code uri} with the default state directory and ssh from the environment. */
        public static Options of(String uri) {
            return of(uri, DEFAULT_STATE_DIR);
        }

        /** {@code uri} and {@code stateDir}, with ssh from the environment. */
        public static Options of(String uri, Path stateDir) {
            return new Options(uri, stateDir, sshCommand(System.getenv()));
        }

        public Options withSshCommand(List<String> command) {
            return new Options(uri, stateDir, command, trust, signer, checkpoints);
        }

        /** With this trust configuration (empty: trial mode). */
        public Options withTrust(Optional<Path> file) {
            return new Options(uri, stateDir, sshCommand, file, signer, checkpoints);
        }

        /** With this key signing the events appended. */
        public Options withSigner(Optional<EventSigner> key) {
            return new Options(uri, stateDir, sshCommand, trust, key, checkpoints);
        }

        /** With signed checkpoints of the head published to, and checked against, {@code store}. */
        public Options withCheckpoints(Optional<CheckpointStore> store) {
            return new Options(uri, stateDir, sshCommand, trust, signer, store);
        }

        /**
         * The ssh program as git chooses it: {@code GIT_SSH_COMMAND} (a shell command line), else
         * {@code GIT_SSH} (a program), else {@code ssh}.
         */
        public static List<String> sshCommand(Map<String, String> environment) {
            String line = environment.get("GIT_SSH_COMMAND");
            if (line != null && !line.isBlank()) {
                return List.of("sh", "-c", line + " \"$@\"", "ssh");
            }
            String program = environment.get("GIT_SSH");
            if (program != null && !program.isBlank()) {
                return List.of(program);
            }
            return List.of("ssh");
        }
    }

    /**
     * Opens a ledger; see {@link Options#uri()} for the locations. Nothing is read from it yet: an
     * unreachable remote is reported by the first read or append.
     */
    public static GitLedger open(String uri, Path stateDir) {
        return open(Options.of(uri == null ? "" : uri, stateDir));
    }

    /** Opens a ledger; see {@link Options}. */
    public static GitLedger open(Options options) {
        String uri = options.uri();
        Path state = options.stateDir().toAbsolutePath().normalize();
        if (uri.isBlank()) {
            return openLocal(state.resolve("ledger.git"), state, options);
        }
        if (isRemote(uri)) {
            URIish u;
            try {
                u = new URIish(uri);
            } catch (URISyntaxException e) {
                throw new InputException("invalid ledger URL '" + uri + "': " + e.getMessage(), e);
            }
            Path cache = state.resolve("ledger-cache").resolve(shortHash(uri) + ".git");
            Repository repo = initBare(cache, uri, false);
            // the password of a URL (an access token) stays out of every message and log line
            String shown = u.getPass() == null ? uri : u.toString();
            return new GitLedger(shown, repo, Optional.of(u), witnessFile(state, uri), options, () -> remoteTrialDir(uri));
        }
        Path dir;
        try {
            dir = Path.of(uri).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new InputException("invalid ledger path '" + uri + "': " + e.getMessage(), e);
        }
        return openLocal(dir, state, options);
    }

    /**
     * Where a remote ledger's trial trust is kept: per user and ledger, so that every workspace of one user on
     * one machine shares it (a team sharing a remote ledger configures a trust instead).
     */
    private static Path remoteTrialDir(String uri) {
        if (uri.startsWith("file:")) {
            try {
                Path dir = Path.of(new java.net.URI(uri)).toAbsolutePath().normalize();
                if (Files.isRegularFile(dir.resolve("HEAD"))) {
                    return dir.resolve(TRIAL_DIR);
                }
            } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                // not a plain file URL: kept per user like any other remote
            }
        }
        return Path.of(System.getProperty("user.home"), ".release-gate", "trial-trust", shortHash(uri));
    }

    static boolean isRemote(String uri) {
        return uri.contains("://") || SCP_LIKE.matcher(uri).matches();
    }

    private static GitLedger openLocal(Path dir, Path state, Options options) {
        return new GitLedger(dir.toString(), initBare(dir, dir.toString(), true), Optional.empty(),
                witnessFile(state, dir.toString()), options, () -> dir.resolve(TRIAL_DIR));
    }

    /**
     * Opens the bare repository at {@code dir}, creating it when missing or empty; {@code ledger}: it is a
     * ledger (not a cache of one), configured to refuse rewrites pushed to it.
     */
    private static Repository initBare(Path dir, String display, boolean ledger) {
        try {
            if (Files.exists(dir)) {
                if (!Files.isDirectory(dir)) {
                    throw new InputException("ledger " + display + " is not a directory");
                }
                boolean empty;
                try (Stream<Path> s = Files.list(dir)) {
                    empty = s.findAny().isEmpty();
                }
                if (!empty) {
                    FileRepositoryBuilder b = new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true);
                    if (Files.exists(dir.resolve(".git"))) {
                        throw new InputException("ledger " + display + " is a git working tree; a ledger is a bare "
                                + "repository: give a bare clone of it, a missing or an empty directory");
                    }
                    if (!Files.isRegularFile(dir.resolve("HEAD")) || !Files.isDirectory(dir.resolve("objects"))) {
                        throw new InputException("ledger " + display + " exists but is not a git repository; "
                                + "give a bare repository, a missing or an empty directory");
                    }
                    return b.build();
                }
            }
            if (!Files.exists(dir)) {
                // create beside it and rename into place, so that concurrent creators agree on one repository
                Files.createDirectories(dir.getParent());
                Path tmp = dir.resolveSibling("." + dir.getFileName() + ".init-" + UUID.randomUUID());
                createBare(tmp, ledger);
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException lost) {
                    deleteTree(tmp);
                    if (!Files.isRegularFile(dir.resolve("HEAD"))) {
                        throw lost;
                    }
                }
            } else {
                createBare(dir, ledger);
            }
            return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
        } catch (IOException | GitAPIException | RuntimeException e) {
            if (e instanceof InputException ie) {
                throw ie;
            }
            throw new InputException("cannot open ledger " + display + ": " + e.getMessage(), e);
        }
    }

    private static void createBare(Path dir, boolean ledger) throws GitAPIException, IOException {
        try (Git git = Git.init().setBare(true).setGitDir(dir.toFile()).setInitialBranch("main").call()) {
            if (ledger) {
                StoredConfig config = git.getRepository().getConfig();
                config.setBoolean("receive", null, "denyNonFastForwards", true);
                config.setBoolean("receive", null, "denyDeletes", true);
                config.setString("core", null, "logAllRefUpdates", "true");
                config.save();
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public synchronized Optional<String> head() {
        return guarded(() -> currentHead(true).map(ObjectId::name));
    }

    @Override
    public synchronized LedgerTrust trust() {
        return resolveTrust();
    }

    @Override
    public synchronized List<Event> events() {
        return believed(guarded(this::readAll), e -> true);
    }

    @Override
    public synchronized List<Entry> entries() {
        return guarded(this::readAll);
    }

    /** The events of {@code entries} that {@code relevant} selects, refused if any of them is not believed. */
    private List<Event> believed(List<Entry> entries, java.util.function.Predicate<Event> relevant) {
        List<Event> out = new ArrayList<>();
        List<Refusal> refusals = new ArrayList<>();
        for (Entry en : entries) {
            if (!relevant.test(en.event())) {
                continue;
            }
            if (en.verification() instanceof Verification.Rejected r) {
                refusals.add(new Refusal(r.rule(), "ledger " + location + ": event " + en.event().id() + " ('"
                        + en.event().type() + "' of " + en.event().subject() + " by " + en.event().actor() + ") is not "
                        + "believed: " + r.reason(), "an event counts only when signed by whoever may assert it (trust "
                        + trust.source() + "); investigate who appended it; the release needs a new version if its "
                        + "history holds it"));
            }
            out.add(en.event());
        }
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        return out;
    }

    @Override
    public synchronized Snapshot snapshot(Set<String> subjects) {
        return guarded(() -> {
            Optional<ObjectId> head = currentHead(true);
            List<Entry> all = readFrom(head);
            Map<String, List<Event>> bySubject = new HashMap<>();
            for (String s : subjects) {
                bySubject.put(s, believed(all, e -> e.subject().equals(s)));
            }
            return new Snapshot(head.map(ObjectId::name), bySubject);
        });
    }

    private List<Entry> readAll() {
        return readFrom(currentHead(true));
    }

    private List<Entry> readFrom(Optional<ObjectId> head) {
        if (head.isEmpty()) {
            return List.of();
        }
        List<RevCommit> chain = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(head.get());
            while (true) {
                chain.add(c);
                if (c.getParentCount() == 0) {
                    break;
                }
                c = walk.parseCommit(c.getParent(0));
            }
        } catch (IOException e) {
            throw new InputException("cannot read ledger " + location + ": " + e.getMessage(), e);
        }
        Collections.reverse(chain);
        resolveTrust();
        return parseAll(chain);
    }

    /** Below this many unread commits, one thread reads them: a pool costs more than it saves. */
    static final int PARALLEL_FROM = 256;

    /**
     * Every commit's entry, in order. Reading an event and checking its signature is independent of every other
     * event, and the signature check is most of a long ledger's read time: the commits not read before are read on
     * every core, each still checked in full.
     */
    private List<Entry> parseAll(List<RevCommit> chain) {
        long unread = chain.stream().filter(c -> !parsed.containsKey(c.getId())).count();
        int threads = Runtime.getRuntime().availableProcessors();
        if (unread < PARALLEL_FROM || threads < 2) {
            return chain.stream().map(this::parse).toList();
        }
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
        try {
            return pool.submit(() -> chain.parallelStream().map(this::parse).toList()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InputException("reading ledger " + location + " was interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new InputException("cannot read ledger " + location + ": " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    @Override
    public synchronized List<Event> events(String subject) {
        return believed(guarded(this::readAll), e -> e.subject().equals(subject));
    }

    @Override
    public synchronized Event append(Event draft) {
        requireOneLine(draft);
        return guarded(() -> appendRetrying(draft));
    }

    private Event appendRetrying(Event draft) {
        return appendOnNewestHead(draft, Optional.empty(), null).orElseThrow();
    }

    @Override
    public synchronized Optional<Event> appendIfHead(Event draft, Optional<String> expectedHead) {
        requireOneLine(draft);
        return guarded(() -> appendOnce(draft, expectedHead));
    }

    @Override
    public synchronized Optional<Event> appendUnlessChanged(Event draft, Optional<String> seenHead,
                                                            java.util.Set<String> subjects) {
        requireOneLine(draft);
        Set<String> about = Set.copyOf(subjects);
        return guarded(() -> appendOnNewestHead(draft, seenHead.map(ObjectId::fromString), e -> about.contains(e.subject())));
    }

    /**
     * Appends on whatever the head is by then, retrying a head moved by other writers with a growing, jittered pause
     * for up to {@link #APPEND_PATIENCE}; empty as soon as an event {@code relevant} selects was recorded after
     * {@code seen} ({@code relevant} null: none is, the event is appended whatever was recorded meanwhile). Many
     * writers may contend for the one branch: a fixed, small number of attempts would give up on an
     * append that only had to wait its turn.
     */
    private Optional<Event> appendOnNewestHead(Event draft, Optional<ObjectId> seen,
                                               java.util.function.Predicate<Event> relevant) {
        long start = System.nanoTime();
        Optional<ObjectId> checkedUpTo = seen;
        for (int attempt = 1; ; attempt++) {
            // a decision just read the remote at seen: try there first, and fetch only when the remote moved on
            Optional<ObjectId> head = attempt == 1 && relevant != null && fetchedHead().equals(seen) ? seen : currentHead(true);
            if (relevant != null && !head.equals(checkedUpTo)) {
                if (changedSince(checkedUpTo, head, relevant)) {
                    return Optional.empty();
                }
                checkedUpTo = head;
            }
            ObjectId commit = writeCommit(draft, head);
            boolean done = remote.isPresent() ? push(commit, head) : updateLocal(commit, head);
            if (done) {
                writeWitness(commit);
                publishCheckpoint(commit);
                packWhenDue();
                return Optional.of(draft.withId(commit.name()));
            }
            long waited = System.nanoTime() - start;
            if (waited > APPEND_PATIENCE.toNanos()) {
                throw new InputException("ledger " + location + " is too busy: the append lost the race to other writers "
                        + attempt + " times in " + java.time.Duration.ofNanos(waited).toSeconds() + " s; try again");
            }
            backoff(attempt);
        }
    }

    /**
     * Whether an event {@code relevant} selects is among those after {@code seen} up to {@code head}; also when
     * {@code seen} is not in {@code head}'s history (that history is then refused by the witness on the next read).
     */
    private boolean changedSince(Optional<ObjectId> seen, Optional<ObjectId> head, java.util.function.Predicate<Event> relevant) {
        if (head.isEmpty()) {
            return seen.isPresent();
        }
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(head.get());
            while (seen.isEmpty() || !c.getId().equals(seen.get())) {
                if (relevant.test(parse(c).event())) {
                    return true;
                }
                if (c.getParentCount() == 0) {
                    return seen.isPresent();
                }
                c = walk.parseCommit(c.getParent(0));
            }
            return false;
        } catch (IOException e) {
            throw new InputException("cannot read ledger " + location + ": " + e.getMessage(), e);
        }
    }

    private Optional<Event> appendOnce(Event draft, Optional<String> expectedHead) {
        Optional<ObjectId> head = currentHead(true);
        if (!head.map(ObjectId::name).equals(expectedHead)) {
            return Optional.empty();
        }
        ObjectId commit = writeCommit(draft, head);
        boolean done = remote.isPresent() ? push(commit, head) : updateLocal(commit, head);
        if (!done) {
            return Optional.empty();
        }
        writeWitness(commit);
        publishCheckpoint(commit);
        packWhenDue();
        return Optional.of(draft.withId(commit.name()));
    }

    @Override
    public synchronized void close() {
        try {
            disconnect();
        } finally {
            repo.close();
        }
    }

    /** Runs {@code action}; a failure of JGit that is not already ours is reported against this ledger. */
    private <T> T guarded(Supplier<T> action) {
        try {
            return action.get();
        } catch (ReleaseGateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InputException("ledger " + location + ": " + e, e);
        }
    }

    /** Subject and actor are also written into the commit message, one line and one trailer each. */
    private void requireOneLine(Event draft) {
        for (String value : List.of(draft.subject(), draft.actor())) {
            if (value.chars().anyMatch(Character::isISOControl)) {
                throw new InputException("ledger " + location + ": an event's subject and actor must be one line "
                        + "without control characters: " + Json.compact(value));
            }
        }
    }

    // ---------------------------------------------------------------------------------------- writing

    private ObjectId writeCommit(Event draft, Optional<ObjectId> parent) {
        try (ObjectInserter ins = repo.newObjectInserter()) {
            byte[] doc = document(draft);
            ObjectId blob = ins.insert(Constants.OBJ_BLOB, doc);
            TreeFormatter tree = new TreeFormatter();
            tree.append(EVENT_FILE, FileMode.REGULAR_FILE, blob);
            ObjectId treeId = ins.insert(tree);
            CommitBuilder cb = new CommitBuilder();
            cb.setTreeId(treeId);
            parent.ifPresent(cb::setParentId);
            PersonIdent who = new PersonIdent(draft.actor(), email(draft.actor()), draft.time(), ZoneOffset.UTC);
            cb.setAuthor(who);
            cb.setCommitter(who);
            cb.setMessage(message(draft));
            resolveTrust();
            EventSigner key = signer.orElseThrow(() -> new InputException("ledger " + location + " believes only signed "
                    + "events (trust " + trust.source() + "): give the key that signs them (--event-key, "
                    + "RELEASE_GATE_EVENT_KEY; in Jenkins the configured event-signing credential)"));
            cb.setGpgSignature(null);
            cb.setGpgSignature(key.signEvent(repo, cb.build(), who, doc));
            ObjectId id = ins.insert(cb);
            ins.flush();
            // believed by the readers, or not written at all: a commit object nothing points at is harmless
            try (RevWalk walk = new RevWalk(repo)) {
                if (trust.verify(repo, walk.parseCommit(id), draft.type(), draft.actor()) instanceof Verification.Rejected r) {
                    throw new InputException("ledger " + location + ": the event '" + draft.type() + "' by " + draft.actor()
                            + " would not be believed (" + r.rule() + "): " + r.reason() + "; sign it with "
                            + (EventType.asserterOf(draft.type()) == EventType.Asserter.CI ? "the CI identity's key "
                            + trust.ci() : "the key of " + draft.actor() + " or of an attestor " + trust.attestors())
                            + " (signing key: " + key.describe() + ")");
                }
            }
            return id;
        } catch (IOException e) {
            throw new InputException("cannot write to ledger " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * A ref lock this old was left by a writer that died holding it: a ref update holds its lock for milliseconds.
     * Git leaves such a lock to a person to remove; a ledger written by pipelines cannot wait for one.
     */
    static final java.time.Duration STALE_LOCK = java.time.Duration.ofSeconds(2);
    /** The local writers of one ledger in this JVM, by its directory: one at a time, as the append lock is per process. */
    private static final Map<Path, java.util.concurrent.locks.ReentrantLock> LOCAL_WRITERS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Moves the branch of a local ledger from {@code head} to {@code commit}, holding the ledger's append lock (an OS file
     * lock, {@code release-gate-append-lock} in the repository, released by the OS when its holder dies). Holding it, a
     * ref lock another writer of ours left is known not to be a live one of ours: once older than {@link #STALE_LOCK} it
     * is removed, so that a writer killed half-way through an update does not block every later append.
     */
    private boolean updateLocal(ObjectId commit, Optional<ObjectId> head) {
        return holdingAppendLock(repo.getDirectory().toPath(), () -> moveBranch(commit, head));
    }

    /**
     * Runs {@code update} holding the append lock of the repository at {@code dir} (an OS file lock,
     * {@code release-gate-append-lock} in it, released by the OS when its holder dies), after removing the ref locks that
     * a writer killed while holding them left (older than {@link #STALE_LOCK}). For a local ledger, and for a remote one
     * reached as a path or {@code file://}: there the pushing process is also the one that updates the remote's refs,
     * so a pusher killed half-way leaves its lock in the remote.
     */
    private boolean holdingAppendLock(Path repository, java.util.function.BooleanSupplier update) {
        Path dir = repository.toAbsolutePath().normalize();
        java.util.concurrent.locks.ReentrantLock inJvm = LOCAL_WRITERS.computeIfAbsent(dir, d -> new java.util.concurrent.locks.ReentrantLock());
        inJvm.lock();
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("release-gate-append-lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = ch.lock()) {
            clearStaleLock(dir.resolve(BRANCH + ".lock"));
            clearStaleLock(dir.resolve("packed-refs.lock"));
            return update.getAsBoolean();
        } catch (IOException e) {
            throw new InputException("cannot update ledger " + location + ": " + e.getMessage(), e);
        } finally {
            inJvm.unlock();
        }
    }

    /** The directory of a remote ledger reached as a path or {@code file://}, when it is one. */
    private Optional<Path> localRemote() {
        if (remote.isEmpty()) {
            return Optional.empty();
        }
        URIish u = remote.get();
        if ((u.getScheme() == null || u.getScheme().equals("file")) && u.getHost() == null && u.getPath() != null) {
            try {
                Path dir = Path.of(u.getPath());
                return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
            } catch (InvalidPathException notAPath) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Waits for {@code lock} to go, up to {@link #STALE_LOCK} of its age; removes it when it is older. */
    private static void clearStaleLock(Path lock) throws IOException {
        while (true) {
            java.nio.file.attribute.FileTime modified;
            try {
                modified = Files.getLastModifiedTime(lock);
            } catch (java.nio.file.NoSuchFileException gone) {
                return;
            }
            java.time.Duration age = java.time.Duration.between(modified.toInstant(), java.time.Instant.now());
            if (age.compareTo(STALE_LOCK) > 0) {
                Files.deleteIfExists(lock);
                return;
            }
            try {
                Thread.sleep(Math.max(10, Math.min(100, STALE_LOCK.minus(age).toMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the ledger's lock " + lock);
            }
        }
    }

    private boolean moveBranch(ObjectId commit, Optional<ObjectId> head) {
        try {
            RefUpdate ru = repo.updateRef(BRANCH);
            ru.setNewObjectId(commit);
            ru.setExpectedOldObjectId(head.orElse(ObjectId.zeroId()));
            ru.setForceUpdate(false);
            ru.setRefLogMessage("release-gate: append event", false);
            RefUpdate.Result r = ru.update();
            return switch (r) {
                case NEW, FAST_FORWARD -> true;
                // NO_CHANGE: another writer appended a byte-identical event (same draft, same second, same parent)
                // first; that one is theirs, so this append has lost the race like any other
                case LOCK_FAILURE, REJECTED, REJECTED_MISSING_OBJECT, NOT_ATTEMPTED, NO_CHANGE -> false;
                default -> throw new InputException("ledger " + location + ": ref update failed: " + r);
            };
        } catch (IOException e) {
            throw new InputException("cannot update ledger " + location + ": " + e.getMessage(), e);
        }
    }

    private boolean push(ObjectId commit, Optional<ObjectId> head) {
        Optional<Path> local = localRemote();
        return local.isPresent() ? holdingAppendLock(local.get(), () -> pushOnce(commit, head)) : pushOnce(commit, head);
    }

    private boolean pushOnce(ObjectId commit, Optional<ObjectId> head) {
        try {
            Transport t = transport();
            RemoteRefUpdate update = new RemoteRefUpdate(repo, commit.name(), BRANCH, false, null,
                    head.orElse(ObjectId.zeroId()));
            PushResult result = t.push(NullProgressMonitor.INSTANCE, List.of(update));
            RemoteRefUpdate.Status status = result.getRemoteUpdate(BRANCH).getStatus();
            switch (status) {
                case OK:
                    RefUpdate ru = repo.updateRef(TRACKING);
                    ru.setNewObjectId(commit);
                    ru.forceUpdate();
                    return true;
                case REJECTED_NONFASTFORWARD:
                case REJECTED_REMOTE_CHANGED:
                case REJECTED_OTHER_REASON:
                // another writer pushed a byte-identical event (same draft, same second, same parent) first: theirs
                case UP_TO_DATE:
                    return false;
                default:
                    throw new InputException("pushing to ledger " + location + " failed: " + status
                            + Optional.ofNullable(result.getRemoteUpdate(BRANCH).getMessage()).map(m -> " (" + m + ")").orElse(""));
            }
        } catch (org.eclipse.jgit.errors.TransportException e) {
            disconnect();
            // the answer may be lost after the remote took the push (a proxy's timeout, a dropped connection): the
            // remote says whether it holds the event, and an event it holds is recorded, once, and reported so
            if (remoteHolds(commit)) {
                return true;
            }
            throw new InputException("cannot reach ledger " + location + ": " + withDiagnostics(e), e);
        } catch (IOException e) {
            disconnect();
            throw new InputException("cannot push to ledger " + location + ": " + e.getMessage(), e);
        }
    }

    /** Whether the remote's main, fetched again, holds {@code commit}; false when it cannot be fetched either. */
    private boolean remoteHolds(ObjectId commit) {
        try {
            Optional<ObjectId> now = fetch();
            if (now.isEmpty()) {
                return false;
            }
            try (RevWalk walk = new RevWalk(repo)) {
                return walk.isMergedInto(walk.parseCommit(commit), walk.parseCommit(now.get()));
            }
        } catch (InputException | IOException unreachable) {
            return false;
        }
    }

    /**
     * The transport to the remote, opened once and kept for every fetch and push of this ledger (an HTTP remote then
     * authenticates once, not on every request); dropped after a failure, and reopened by the next operation.
     */
    private Transport transport() throws IOException {
        if (connection == null) {
            // protocol v0: a fetch is the advertisement and at most one request for objects (v2 takes one more), and
            // a remote that has not moved costs the advertisement alone
            repo.getConfig().setInt("protocol", null, "version", 0);
            Transport t = Transport.open(repo, remote.orElseThrow());
            t.setTimeout(transportTimeout);
            if (t instanceof SshTransport s) {
                s.setSshSessionFactory(ssh);
            }
            connection = t;
        }
        return connection;
    }

    private void disconnect() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /**
     * Full jitter over a ceiling that doubles from 40 ms up to 8 s: the more often a writer lost, the more writers
     * contend, and the wider they spread, so that the attempts offered come down to what one branch can take instead of
     * colliding again (and loading the remote with attempts that cannot succeed).
     */
    private static void backoff(int attempt) {
        long ceiling = Math.min(8000L, 20L << Math.min(attempt, 9));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InputException("interrupted while appending to the ledger", e);
        }
    }

    // ---------------------------------------------------------------------------------------- reading

    /** The head of the remote as last fetched into the cache (a local ledger's current head). */
    private Optional<ObjectId> fetchedHead() {
        try {
            Ref ref = repo.exactRef(remote.isPresent() ? TRACKING : BRANCH);
            return Optional.ofNullable(ref).map(Ref::getObjectId);
        } catch (IOException e) {
            throw new InputException("cannot read ledger " + location + ": " + e.getMessage(), e);
        }
    }

    /** The current head (fetched first for a remote), checked against the witness. */
    private Optional<ObjectId> currentHead(boolean check) {
        // the witness is read before the head: another writer may move both in between, and then the
        // head we read still descends from the witness we read
        Optional<ObjectId> seen = check ? readWitness() : Optional.empty();
        // so is the newest checkpoint, on the first read: other writers publish checkpoints of heads newer than the
        // one read here, and one read after the head could vouch for events not fetched yet
        Optional<CheckpointStore.Published> newest = check && !checkpointsChecked && options.checkpoints().isPresent()
                ? options.checkpoints().get().newest() : Optional.empty();
        Optional<ObjectId> head;
        try {
            if (remote.isPresent()) {
                head = fetch();
            } else {
                // other writers (threads or processes with their own Repository) move the ref: never trust a cached value
                repo.getRefDatabase().refresh();
                Ref ref = repo.exactRef(BRANCH);
                head = Optional.ofNullable(ref).map(Ref::getObjectId);
            }
        } catch (IOException e) {
            throw new InputException("cannot read ledger " + location + ": " + e.getMessage(), e);
        }
        if (check) {
            checkWitness(head, seen);
            checkCheckpoint(head, newest);
        }
        return head;
    }

    /** The transport's message, with what the ssh program printed when the transport did not include it. */
    private String withDiagnostics(org.eclipse.jgit.errors.TransportException e) {
        String message = Objects.toString(e.getMessage(), e.getClass().getSimpleName());
        String said = ssh.diagnostics();
        return said.isEmpty() || message.contains(said) ? message : message + " (ssh: " + said + ")";
    }

    private Optional<ObjectId> fetch() {
        try {
            Transport t = transport();
            FetchResult r = t.fetch(NullProgressMonitor.INSTANCE, List.of(new RefSpec("+refs/heads/*:refs/remotes/ledger/*")));
            Ref advertised = r.getAdvertisedRef(BRANCH);
            return Optional.ofNullable(advertised).map(Ref::getObjectId);
        } catch (org.eclipse.jgit.errors.TransportException e) {
            disconnect();
            throw new InputException("cannot reach ledger " + location + ": " + withDiagnostics(e), e);
        } catch (IOException e) {
            disconnect();
            throw new InputException("cannot fetch ledger " + location + ": " + e.getMessage(), e);
        }
    }

    private Entry parse(RevCommit c) {
        Entry cached = parsed.get(c.getId());
        if (cached != null) {
            return cached;
        }
        try (ObjectReader reader = repo.newObjectReader(); TreeWalk tw = TreeWalk.forPath(reader, EVENT_FILE, c.getTree())) {
            if (tw == null) {
                throw new InputException("ledger " + location + ": commit " + c.name() + " holds no " + EVENT_FILE
                        + "; this is not a Release Gate ledger or it was altered");
            }
            byte[] bytes = reader.open(tw.getObjectId(0), Constants.OBJ_BLOB).getBytes();
            Event e = fromDocument(bytes, c.name());
            Entry en = new Entry(e, resolveTrust().verify(repo, c, e.type(), e.actor()));
            parsed.put(c.getId(), en);
            return en;
        } catch (IOException e) {
            throw new InputException("cannot read ledger " + location + " commit " + c.name() + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------- checkpoints

    /** The git id of the empty tree, which every checkpoint commit has. */
    private static final ObjectId EMPTY_TREE = new ObjectInserter.Formatter().idFor(Constants.OBJ_TREE, new byte[0]);
    static final String CHECKPOINT_ACTOR = "release-gate";
    static final String SIZE_TRAILER = "Ledger-Size";
    static final String ROOT_TRAILER = "Ledger-Root";

    /** The number of events up to and including {@code commit}, following first parents to the root. */
    private long sizeOf(RevWalk walk, ObjectId commit) throws IOException {
        List<ObjectId> chain = new ArrayList<>();
        long base = 0;
        ObjectId c = commit;
        while (true) {
            Long known = sizes.get(c);
            if (known != null) {
                base = known;
                break;
            }
            chain.add(c);
            RevCommit rc = walk.parseCommit(c);
            if (rc.getParentCount() == 0) {
                break;
            }
            c = rc.getParent(0).getId();
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            sizes.put(chain.get(i).copy(), ++base);
        }
        return sizes.get(commit);
    }

    /** The ledger's first event for {@code commit}, following first parents; memoised as {@link #sizeOf} is. */
    private ObjectId rootOf(RevWalk walk, ObjectId commit) throws IOException {
        List<ObjectId> chain = new ArrayList<>();
        ObjectId c = commit;
        ObjectId root;
        while (true) {
            ObjectId known = roots.get(c);
            if (known != null) {
                root = known;
                break;
            }
            chain.add(c.copy());
            RevCommit rc = walk.parseCommit(c);
            if (rc.getParentCount() == 0) {
                root = rc.getId().copy();
                break;
            }
            c = rc.getParent(0).getId();
        }
        for (ObjectId id : chain) {
            roots.put(id, root);
        }
        return root;
    }

    /**
     * Publishes a checkpoint of {@code head} signed by this process's key, when that key is the CI identity's (an
     * approver's append is checkpointed by the next CI event). The event is already in the ledger: a checkpoint
     * that cannot be published is reported, not fatal; the next one covers it.
     */
    private void publishCheckpoint(ObjectId head) {
        if (options.checkpoints().isEmpty() || signer.isEmpty() || signer.get() instanceof EventSigner.Delegated) {
            return;
        }
        CheckpointStore store = options.checkpoints().get();
        try (RevWalk walk = new RevWalk(repo)) {
            long size = sizeOf(walk, head);
            ObjectId root = rootOf(walk, head);
            CommitBuilder cb = new CommitBuilder();
            cb.setTreeId(EMPTY_TREE);
            cb.setParentId(head);
            PersonIdent who = new PersonIdent(CHECKPOINT_ACTOR, email(CHECKPOINT_ACTOR), new java.util.Date(), java.util.TimeZone.getTimeZone("UTC"));
            cb.setAuthor(who);
            cb.setCommitter(who);
            cb.setMessage("ledger checkpoint: " + size + " event(s)\n\n" + SIZE_TRAILER + ": " + size + "\n"
                    + ROOT_TRAILER + ": " + root.name() + "\n");
            cb.setGpgSignature(signer.get().sign(repo, cb.build(), who));
            byte[] raw = cb.build();
            if (!(trust.verify(repo, RevCommit.parse(raw), EventType.LEDGER_CHECKPOINT.wire(), CHECKPOINT_ACTOR)
                    instanceof Verification.Verified)) {
                return;
            }
            Optional<CheckpointStore.Published> before = store.publish(size, raw);
            if (before.isPresent()) {
                Checked other = parseCheckpoint(before.get());
                if (!other.head().equals(head)) {
                    throw new RefusedException(new Refusal("ledger.checkpoint", "ledger " + location + ": checkpoint "
                            + before.get().where() + " says event " + size + " is " + other.head().name() + ", but this "
                            + "ledger's event " + size + " is " + head.name() + ": the ledger was rewritten after it was "
                            + "checkpointed", "restore the ledger history that the checkpoint vouches for"));
                }
            }
        } catch (RefusedException e) {
            throw e;
        } catch (IOException | ReleaseGateException e) {
            System.err.println("release-gate: warning: the event is recorded, but its ledger checkpoint could not be "
                    + "published to " + store.location() + ": " + e.getMessage() + " (the next event's checkpoint covers it)");
        }
    }

    /** A checkpoint whose signature is believed: the head it vouches for, its size and the ledger's root. */
    private record Checked(ObjectId head, long size, ObjectId root, String signer) {
    }

    private Checked parseCheckpoint(CheckpointStore.Published p) {
        RevCommit c;
        try {
            c = RevCommit.parse(p.signedCommit());
        } catch (RuntimeException e) {
            throw badCheckpoint(p, "it is not a git commit object");
        }
        Verification v = resolveTrust().verify(repo, c, EventType.LEDGER_CHECKPOINT.wire(), CHECKPOINT_ACTOR);
        if (v instanceof Verification.Rejected r) {
            throw badCheckpoint(p, "its signature is not the CI identity's (" + r.rule() + "): " + r.reason());
        }
        if (c.getParentCount() != 1) {
            throw badCheckpoint(p, "it names " + c.getParentCount() + " heads");
        }
        long size = -1;
        ObjectId root = null;
        for (org.eclipse.jgit.revwalk.FooterLine f : c.getFooterLines()) {
            try {
                if (f.matches(new org.eclipse.jgit.revwalk.FooterKey(SIZE_TRAILER))) {
                    size = Long.parseLong(f.getValue().trim());
                } else if (f.matches(new org.eclipse.jgit.revwalk.FooterKey(ROOT_TRAILER))) {
                    root = ObjectId.fromString(f.getValue().trim());
                }
            } catch (RuntimeException e) {
                throw badCheckpoint(p, "its " + f.getKey() + " is not valid: " + f.getValue());
            }
        }
        if (size != p.size() || root == null) {
            throw badCheckpoint(p, "its size (" + size + ") or root does not match where it is stored (" + p.size() + ")");
        }
        return new Checked(c.getParent(0).getId().copy(), size, root, ((Verification.Verified) v).principal());
    }

    @Override
    public synchronized List<CheckpointStatus> checkpoints() {
        if (options.checkpoints().isEmpty()) {
            return List.of();
        }
        return guarded(() -> {
            Optional<ObjectId> head = currentHead(false);
            List<CheckpointStatus> out = new ArrayList<>();
            for (CheckpointStore.Published p : options.checkpoints().get().all()) {
                String vouched = "?";
                Optional<String> problem;
                try {
                    Checked cp = parseCheckpoint(p);
                    vouched = cp.head().name();
                    problem = extensionProblem(cp, head);
                } catch (RefusedException e) {
                    problem = Optional.of(e.getMessage());
                }
                out.add(new CheckpointStatus(p.size(), vouched, p.where(), problem));
            }
            return out;
        });
    }

    /** Why the ledger at {@code head} is not an extension of checkpoint {@code cp}, if it is not. */
    private Optional<String> extensionProblem(Checked cp, Optional<ObjectId> head) {
        if (head.isEmpty()) {
            return Optional.of("the ledger is empty");
        }
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit at;
            try {
                at = walk.parseCommit(cp.head());
            } catch (MissingObjectException e) {
                return Optional.of("that commit is not in the ledger (head " + head.get().name() + ")");
            }
            if (!walk.isMergedInto(at, walk.parseCommit(head.get()))) {
                return Optional.of("head " + head.get().name() + " does not descend from it");
            }
            long size = sizeOf(walk, cp.head());
            if (size != cp.size() || !rootOf(walk, cp.head()).equals(cp.root())) {
                return Optional.of("in this ledger that commit is event " + size);
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new InputException("cannot read ledger " + location + ": " + e.getMessage(), e);
        }
    }

    private RefusedException badCheckpoint(CheckpointStore.Published p, String why) {
        return new RefusedException(new Refusal("ledger.checkpoint", "ledger checkpoint " + p.where() + " cannot be "
                + "believed: " + why, "investigate who wrote it to the store; only the CI identity signs checkpoints"));
    }

    /**
     * Once per process: the ledger must extend the newest checkpoint published in the store, whatever this
     * workspace's witness says (a fresh workspace, another state directory, a deleted witness).
     */
    private void checkCheckpoint(Optional<ObjectId> head, Optional<CheckpointStore.Published> newest) {
        if (options.checkpoints().isEmpty() || checkpointsChecked) {
            return;
        }
        if (newest.isPresent()) {
            Checked cp = parseCheckpoint(newest.get());
            String vouched = "checkpoint " + newest.get().where() + " (signed by " + cp.signer() + ") vouches for "
                    + cp.size() + " event(s) ending at " + cp.head().name();
            Optional<String> problem = extensionProblem(cp, head);
            if (problem.isPresent()) {
                throw truncated(vouched + ", but " + problem.get());
            }
        }
        checkpointsChecked = true;
    }

    private RefusedException truncated(String what) {
        return new RefusedException(new Refusal("ledger.checkpoint", "ledger " + location + " was rewritten: " + what,
                "restore the ledger history that the checkpoint vouches for; Release Gate will not read or write this "
                        + "ledger until then"));
    }

    // ---------------------------------------------------------------------------------------- witness

    private void checkWitness(Optional<ObjectId> head, Optional<ObjectId> seen) {
        if (seen.isEmpty()) {
            return;
        }
        if (head.isEmpty()) {
            throw rewritten(seen.get(), "the ledger's main branch is gone");
        }
        if (head.get().equals(seen.get())) {
            return;
        }
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit last = walk.parseCommit(seen.get());
            RevCommit now = walk.parseCommit(head.get());
            if (!walk.isMergedInto(last, now)) {
                throw rewritten(seen.get(), "head " + head.get().name() + " does not descend from it");
            }
        } catch (MissingObjectException e) {
            throw rewritten(seen.get(), "the commit is no longer in the ledger (head is " + head.get().name() + ")");
        } catch (IOException e) {
            throw new InputException("cannot read ledger " + location + ": " + e.getMessage(), e);
        }
        writeWitness(head.get());
    }

    private RefusedException rewritten(ObjectId seen, String what) {
        return new RefusedException(new Refusal("ledger.append-only",
                "ledger " + location + " was rewritten: " + seen.name() + " is the head last seen here and " + what,
                "investigate who rewrote the audit trail and restore the history that contains " + seen.name()
                        + "; Release Gate will not read or write this ledger until then"));
    }

    private Optional<ObjectId> readWitness() {
        try {
            if (!Files.exists(witness)) {
                return Optional.empty();
            }
            String s = Files.readString(witness, StandardCharsets.US_ASCII).trim();
            return ObjectId.isId(s) ? Optional.of(ObjectId.fromString(s)) : Optional.empty();
        } catch (IOException e) {
            throw new InputException("cannot read ledger witness " + witness + ": " + e.getMessage(), e);
        }
    }

    /**
     * Each event is three loose objects; like git after a commit ({@code git gc --auto}), the ledger packs them once
     * there are many (git's {@code gc.auto} threshold, 6,700 by default): a ledger of 100,000 loose events takes
     * several times longer to read than a packed one. In the foreground, so that no process exits mid-pack; packing
     * writes the new pack before it removes a loose object, so an interrupted pack loses nothing. The event is already
     * recorded: a pack that fails leaves the ledger as it was, to be packed by a later append.
     */
    private void packWhenDue() {
        repo.getConfig().setBoolean("gc", null, "autoDetach", false);
        try {
            repo.autoGC(NullProgressMonitor.INSTANCE);
        } catch (RuntimeException packingFailed) {
            // the event is recorded; the next append tries again
        }
    }

    private void writeWitness(ObjectId head) {
        try {
            Files.createDirectories(witness.getParent());
            Path tmp = witness.resolveSibling(witness.getFileName() + ".tmp-" + UUID.randomUUID());
            Files.writeString(tmp, head.name() + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, witness, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, witness, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new InputException("cannot write ledger witness " + witness + ": " + e.getMessage(), e);
        }
    }

    private static Path witnessFile(Path state, String location) {
        return state.resolve("ledger-witness").resolve(shortHash(location));
    }

    // ---------------------------------------------------------------------------------------- format

    /** The event's document, {@code event.json}, byte for byte as the ledger commits it (and an attestor checks it). */
    public static byte[] document(Event e) {
        ObjectNode doc = Json.object();
        doc.put("schema", Event.SCHEMA);
        doc.put("type", e.type());
        doc.put("subject", e.subject());
        e.digest().ifPresent(d -> doc.put("digest", d.toString()));
        doc.put("actor", e.actor());
        doc.put("time", e.time().toString());
        doc.set("payload", e.payload());
        return Json.pretty(doc).getBytes(StandardCharsets.UTF_8);
    }

    private Event fromDocument(byte[] bytes, String commit) {
        return event(bytes, commit, location);
    }

    /** The event an {@code event.json} of commit {@code commit} holds; an input error naming the ledger when unreadable. */
    public static Event event(byte[] bytes, String commit, String location) {
        try {
            JsonNode doc = Json.mapper().readTree(bytes);
            String schema = doc.path("schema").asText("");
            if (!Event.SCHEMA.equals(schema)) {
                throw new InputException("ledger " + location + ": commit " + commit + " has event schema '" + schema
                        + "'; this version reads " + Event.SCHEMA);
            }
            JsonNode payload = doc.path("payload");
            if (!payload.isObject()) {
                throw new InputException("ledger " + location + ": commit " + commit + " has no payload object");
            }
            Optional<Digest> digest = doc.hasNonNull("digest") ? Optional.of(Digest.parse(doc.get("digest").asText()))
                    : Optional.empty();
            return new Event(commit, doc.path("type").asText(), doc.path("subject").asText(), digest,
                    doc.path("actor").asText(), Instant.parse(doc.path("time").asText()), (ObjectNode) payload);
        } catch (IOException | RuntimeException e) {
            if (e instanceof InputException ie) {
                throw ie;
            }
            throw new InputException("ledger " + location + ": commit " + commit + " holds an unreadable event: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void bundle(String tip, java.io.OutputStream out) {
        guarded(() -> {
            try (RevWalk walk = new RevWalk(repo)) {
                RevCommit c = walk.parseCommit(ObjectId.fromString(tip));
                org.eclipse.jgit.storage.pack.PackConfig config = new org.eclipse.jgit.storage.pack.PackConfig(repo);
                config.setThreads(1);
                config.setDeltaCompress(false); // the same history always packs to the same bytes
                org.eclipse.jgit.transport.BundleWriter writer = new org.eclipse.jgit.transport.BundleWriter(repo);
                writer.setPackConfig(config);
                writer.include(BRANCH, c.getId());
                writer.writeBundle(NullProgressMonitor.INSTANCE, out);
                return null;
            } catch (MissingObjectException | IllegalArgumentException e) {
                throw new InputException("ledger " + location + " has no commit " + tip, e);
            } catch (IOException e) {
                throw new InputException("cannot write a bundle of ledger " + location + ": " + e.getMessage(), e);
            }
        });
    }

    private static String message(Event e) {
        String digest = e.digest().map(Digest::toString).orElse("-");
        return e.type() + " " + e.subject() + " " + digest + "\n\n"
                + "Event-Type: " + e.type() + "\n"
                + "Subject: " + e.subject() + "\n"
                + "Digest: " + digest + "\n"
                + "Actor: " + e.actor() + "\n";
    }

    private static String email(String actor) {
        return actor.replaceAll("[^A-Za-z0-9._-]", "_") + "@release-gate";
    }

    static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
