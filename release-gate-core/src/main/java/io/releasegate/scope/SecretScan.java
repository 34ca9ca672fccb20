package io.releasegate.scope;

import io.releasegate.error.InputException;
import io.releasegate.gates.Finding;
import io.releasegate.gates.PolicyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/**
 * The secrets committed in a release's scope: every commit of the range, oldest first, diffed against its first parent
 * (a root commit against the empty tree) by JGit's {@link DiffFormatter} and histogram diff; the added lines of each
 * text file are matched against {@link SecretRules}, and so is the text of every base64 token on them that decodes to
 * text. A secret added and later removed is still found (the commit that added it is in the range). A finding names
 * the commit, path, line and rule, a fingerprint (the first 16 hex digits of the secret's SHA-256) and a masked prefix,
 * never the secret. Binary files are skipped; a file larger than {@link #MAX_BLOB_BYTES} is not scanned and is reported
 * as unscanned (it blocks like a finding: the scan fails closed); lines longer than {@link #MAX_LINE_CHARS} are scanned in
 * overlapping pieces.
 */
public final class SecretScan {

    public static final long MAX_BLOB_BYTES = 8L << 20;
    static final int MAX_LINE_CHARS = 4096;
    private static final int KEY_BODY_LINES = 200;
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]{24,}={0,2}");

    /** One secret: where it was added, by which rule, how to recognise it again, and whether an allowlist entry applies. */
    public record SecretFinding(String commit, String path, int line, String rule, String fingerprint, String masked,
                                boolean encoded, Optional<String> allowlisted, List<String> notAllowlisted) {
        public SecretFinding {
            notAllowlisted = List.copyOf(notAllowlisted);
        }

        /** The finding id an exception's scope names: path and fingerprint, so an exception for one path covers no other. */
        public String id() {
            return id(path, fingerprint);
        }

        static String id(String path, String fingerprint) {
            return "secret:" + path + ":" + fingerprint;
        }

        public String location() {
            return commit.substring(0, 12) + ":" + path + ":" + line;
        }

        public String title() {
            return rule + (encoded ? " (base64-encoded)" : "") + " " + masked + " fingerprint " + fingerprint;
        }

        public Finding asFinding() {
            return new Finding(id(), ScopeFindings.SECRETS, Finding.Severity.CRITICAL, title() + " added at " + location(),
                    Optional.of(location()), Optional.empty());
        }
    }

    /** A file the scan did not read: too large. */
    public record Unscanned(String commit, String path, String why) {
        public String id() {
            return "secret-unscanned:" + path + ":" + commit.substring(0, 12);
        }
    }

    public record Result(String range, int commits, List<SecretFinding> findings, List<Unscanned> unscanned, int binaries) {
        public Result {
            findings = List.copyOf(findings);
            unscanned = List.copyOf(unscanned);
        }

        /** The findings no valid allowlist entry covers. */
        public List<SecretFinding> open() {
            return findings.stream().filter(f -> f.allowlisted().isEmpty()).toList();
        }

        public boolean ok() {
            return open().isEmpty() && unscanned.isEmpty();
        }
    }

    private final Repository repo;
    private ReleaseRange range;
    private SecretsAllowlist allowlist = SecretsAllowlist.none();
    private List<PolicyException> exceptions = List.of();
    private String repoName = "";
    private String branch = "main";
    private String environment = "production";
    private LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);

    public SecretScan(Repository repo) {
        this.repo = Objects.requireNonNull(repo);
    }

    public SecretScan range(ReleaseRange value) {
        this.range = Objects.requireNonNull(value);
        return this;
    }

    public SecretScan allowlist(SecretsAllowlist value, List<PolicyException> approvals) {
        this.allowlist = Objects.requireNonNull(value);
        this.exceptions = List.copyOf(approvals);
        return this;
    }

    /** Where the release goes, for the exceptions' scopes. */
    public SecretScan context(String repository, String branchName, String env, LocalDate date) {
        this.repoName = repository;
        this.branch = branchName;
        this.environment = env;
        this.today = date;
        return this;
    }

    /** Ranges of at least this many commits are scanned on every core, in contiguous chunks of commits. */
    static final int PARALLEL_FROM = 64;

    /** What one commit adds: its candidate secrets in order, the files too large to scan, and how many were binary. */
    private record Scanned(String commit, List<Hit> hits, List<Unscanned> unscanned, int binaries) {
    }

    /** A candidate secret before the range-wide de-duplication and the allowlist. */
    private record Hit(String path, int line, SecretRules.Rule rule, String fingerprint, String masked, boolean encoded) {
    }

    public Result call() {
        Objects.requireNonNull(range, "range");
        List<ObjectId> commits = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo)) {
            walk.sort(RevSort.TOPO, true);
            walk.sort(RevSort.REVERSE, true);
            walk.markStart(walk.parseCommit(ObjectId.fromString(range.to())));
            if (range.from().isPresent()) {
                walk.markUninteresting(walk.parseCommit(ObjectId.fromString(range.from().get())));
            }
            for (RevCommit c : walk) {
                commits.add(c.copy());
            }
        } catch (IOException e) {
            throw new InputException("cannot read the history " + range.describe() + ": " + e.getMessage(), e);
        }
        // the diffs are independent: scanned in chunks on every core, then taken in commit order, oldest first
        int workers = commits.size() < PARALLEL_FROM ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
        int chunks = workers == 1 ? 1 : Math.min(commits.size(), workers * 8);
        List<List<Scanned>> parts = workers == 1 ? List.of(scan(commits))
                : java.util.stream.IntStream.range(0, chunks).parallel()
                        .mapToObj(i -> scan(commits.subList(i * commits.size() / chunks, (i + 1) * commits.size() / chunks))).toList();
        List<SecretFinding> out = new ArrayList<>();
        List<Unscanned> unscanned = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int binaries = 0;
        for (List<Scanned> part : parts) {
            for (Scanned c : part) {
                for (Hit h : c.hits()) {
                    record(c.commit(), h, seen, out);
                }
                unscanned.addAll(c.unscanned());
                binaries += c.binaries();
            }
        }
        return new Result(range.describe(), commits.size(), out, unscanned, binaries);
    }

    /** The candidates of each of {@code ids}, in order; its own reader, so that chunks run at the same time. */
    private List<Scanned> scan(List<ObjectId> ids) {
        List<Scanned> out = new ArrayList<>(ids.size());
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader();
             DiffFormatter df = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            df.setRepository(repo);
            df.setDetectRenames(false);
            DiffAlgorithm diff = DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM);
            for (ObjectId id : ids) {
                RevCommit c = walk.parseCommit(id);
                List<Hit> hits = new ArrayList<>();
                List<Unscanned> unscanned = new ArrayList<>();
                int binaries = 0;
                AbstractTreeIterator parent = c.getParentCount() == 0 ? new EmptyTreeIterator()
                        : new CanonicalTreeParser(null, reader, walk.parseCommit(c.getParent(0)).getTree());
                CanonicalTreeParser tree = new CanonicalTreeParser(null, reader, c.getTree());
                for (DiffEntry e : df.scan(parent, tree)) {
                    if (e.getChangeType() == DiffEntry.ChangeType.DELETE || e.getNewMode().getObjectType() != Constants.OBJ_BLOB
                            || e.getNewMode() == FileMode.SYMLINK) {
                        continue;
                    }
                    String path = e.getNewPath();
                    ObjectLoader nl = reader.open(e.getNewId().toObjectId());
                    if (nl.getSize() > MAX_BLOB_BYTES) {
                        unscanned.add(new Unscanned(c.name(), path, nl.getSize() + " bytes, over the " + MAX_BLOB_BYTES
                                + "-byte limit of the secrets scan"));
                        continue;
                    }
                    byte[] nb = nl.getCachedBytes();
                    if (RawText.isBinary(nb)) {
                        binaries++;
                        continue;
                    }
                    RawText b = new RawText(nb);
                    RawText a = RawText.EMPTY_TEXT;
                    if (e.getChangeType() == DiffEntry.ChangeType.MODIFY && e.getOldMode().getObjectType() == Constants.OBJ_BLOB) {
                        ObjectLoader ol = reader.open(e.getOldId().toObjectId());
                        if (ol.getSize() <= MAX_BLOB_BYTES) {
                            byte[] ob = ol.getCachedBytes();
                            if (!RawText.isBinary(ob)) {
                                a = new RawText(ob);
                            }
                        }
                    }
                    for (Edit edit : diff.diff(RawTextComparator.DEFAULT, a, b)) {
                        if (edit.getEndB() > edit.getBeginB()) {
                            scanAdded(path, b, edit.getBeginB(), edit.getEndB(), hits);
                        }
                    }
                }
                out.add(new Scanned(c.name(), hits, unscanned, binaries));
            }
        } catch (IOException e) {
            throw new InputException("cannot read the history " + range.describe() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Lines [begin, end) of {@code text}, all added by one commit. */
    private static void scanAdded(String path, RawText text, int begin, int end, List<Hit> out) {
        for (int i = begin; i < end; i++) {
            String line = text.getString(i);
            for (int from = 0; from < Math.max(1, line.length()); from += MAX_LINE_CHARS - 256) {
                String piece = line.length() <= MAX_LINE_CHARS ? line : line.substring(from, Math.min(line.length(), from + MAX_LINE_CHARS));
                scanLine(path, i + 1, piece, text, i, end, false, out);
                if (line.length() <= MAX_LINE_CHARS) {
                    break;
                }
            }
        }
    }

    private static void scanLine(String path, int lineNo, String line, RawText text, int index, int end, boolean encoded,
                                 List<Hit> out) {
        // base64 tokens first: one that decodes to a secret is that secret, not also a random value assigned to a name
        List<String> decodedSecrets = new ArrayList<>();
        if (!encoded && line.length() >= 24) {
            Matcher b64 = BASE64.matcher(line);
            while (b64.find()) {
                String decoded = decode(b64.group());
                if (decoded != null) {
                    int before = out.size();
                    scanLine(path, lineNo, decoded, null, index, end, true, out);
                    if (out.size() > before) {
                        decodedSecrets.add(b64.group());
                    }
                }
            }
        }
        String lower = line.toLowerCase(Locale.ROOT);
        for (SecretRules.Rule r : SecretRules.ALL) {
            if (!SecretRules.mayMatch(r, line, lower)) {
                continue;
            }
            Matcher m = r.pattern().matcher(line);
            while (m.find()) {
                String secret = SecretRules.secret(r, m);
                if (!SecretRules.plausible(r, secret) || decodedSecrets.stream().anyMatch(secret::contains)) {
                    continue;
                }
                if (r.id().equals(SecretRules.PRIVATE_KEY) && text != null) {
                    // the key is its body: the added lines up to the END line
                    StringBuilder body = new StringBuilder();
                    for (int j = index + 1; j < end && j <= index + KEY_BODY_LINES; j++) {
                        String l = text.getString(j);
                        if (l.contains("-----END")) {
                            break;
                        }
                        body.append(l.trim());
                    }
                    if (body.length() < 16) {
                        continue;
                    }
                    out.add(new Hit(path, lineNo, r, fingerprint(body.toString()), m.group("s"), encoded));
                } else if (!r.id().equals(SecretRules.PRIVATE_KEY)) {
                    out.add(new Hit(path, lineNo, r, fingerprint(secret), mask(secret), encoded));
                }
            }
        }
    }

    private void record(String commit, Hit h, Set<String> seen, List<SecretFinding> out) {
        String path = h.path();
        String fp = h.fingerprint();
        SecretRules.Rule r = h.rule();
        if (!seen.add(path + "\0" + fp)) {
            return;
        }
        Optional<String> allowed = Optional.empty();
        List<String> why = new ArrayList<>();
        for (SecretsAllowlist.Entry e : allowlist.matching(path, fp, r.id())) {
            Optional<PolicyException> x = exceptions.stream().filter(p -> p.id().equals(e.exception())).findFirst();
            String entry = allowlist.file() + " entry " + e.index();
            if (x.isEmpty()) {
                why.add(entry + " names exception " + e.exception() + ", which does not exist");
                continue;
            }
            Finding f = new Finding(SecretFinding.id(path, fp), ScopeFindings.SECRETS, Finding.Severity.CRITICAL, r.id(),
                    Optional.of(path), Optional.empty());
            Optional<String> no = x.get().findings().contains(f.id())
                    ? x.get().whyNot(f, repoName, branch, environment, today)
                    : Optional.of("exception " + e.exception() + " does not cover finding " + f.id());
            if (no.isPresent()) {
                why.add(entry + ": " + no.get());
            } else {
                allowed = Optional.of(entry + " (" + e.reason() + "), approved by exception " + e.exception());
                break;
            }
        }
        out.add(new SecretFinding(commit, path, h.line(), r.id(), fp, h.masked(), h.encoded(), allowed,
                allowed.isPresent() ? List.of() : why));
    }

    /** The first 16 hex digits of the SHA-256 of the secret. */
    public static String fingerprint(String secret) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** At most the first four characters (fewer for a short secret), then the length: enough to find it, never enough to use it. */
    static String mask(String secret) {
        int show = secret.length() >= 24 ? 4 : secret.length() >= 12 ? 2 : 0;
        return secret.substring(0, show) + "*** (" + secret.length() + " chars)";
    }

    private static String decode(String token) {
        try {
            byte[] bytes = Base64.getDecoder().decode(token.length() % 4 == 0 ? token : token.substring(0, token.length() - token.length() % 4));
            String s = new String(bytes, StandardCharsets.UTF_8);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == '\uFFFD') {
                    return null;
                }
            }
            return s;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
