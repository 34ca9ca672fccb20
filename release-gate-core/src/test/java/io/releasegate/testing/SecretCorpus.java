package io.releasegate.testing;

import io.releasegate.scope.SecretScan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * A labelled corpus for the secrets scan, generated (never committed): a git history of many small commits to source
 * files, into which credentials of many kinds are planted (random values made at generation time, from a seed), some
 * removed again by a later commit, some base64-encoded, among look-alikes that are not secrets (placeholders,
 * references, public keys, digests, test-mode keys). The labels say where each secret was planted and its fingerprint.
 */
public final class SecretCorpus {

    /** One planted secret: its kind (the rule that should find it), the file, the fingerprint of its value. */
    public record Planted(String kind, String path, String fingerprint, String value, boolean removedLater) {
    }

    /** The corpus: its repository, the planted secrets, the number of look-alikes and of commits. */
    public record Corpus(Path dir, List<Planted> planted, int decoys, int commits) {
    }

    private record Kind(String rule, Function<SplittableRandom, String[]> make) {
    }

    private static final String UP = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String LOW = "abcdefghijklmnopqrstuvwxyz";
    private static final String DIG = "0123456789";
    private static final String ALNUM = UP + LOW + DIG;
    private static final String HEX = "0123456789abcdef";
    private static final String URLSAFE = ALNUM + "_-";
    private static final String B64 = ALNUM + "+/";

    static String r(SplittableRandom rnd, String alphabet, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** {line, secret}: the line that carries the secret, and the value its fingerprint is taken of. */
    private static String[] l(String line, String secret) {
        return new String[] {line, secret};
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("aws-access-key-id", x -> { String s = "AKIA" + r(x, UP + "234567", 16); return l("aws_access_key_id = " + s, s); }),
            new Kind("aws-secret-access-key", x -> { String s = r(x, B64, 40); return l("aws_secret_access_key = " + s, s); }),
            new Kind("gcp-api-key", x -> { String s = "AIza" + r(x, URLSAFE, 35); return l("  \"apiKey\": \"" + s + "\",", s); }),
            new Kind("gcp-service-account-key", x -> { String s = r(x, HEX, 40); return l("  \"private_key_id\": \"" + s + "\",", s); }),
            new Kind("gcp-oauth-client-secret", x -> { String s = "GOCSPX-" + r(x, URLSAFE, 28); return l("client_secret: " + s, s); }),
            new Kind("azure-storage-key", x -> { String s = r(x, B64, 86) + "=="; return l("AZURE=DefaultEndpointsProtocol=https;AccountName=store"
                    + r(x, LOW, 6) + ";AccountKey=" + s + ";EndpointSuffix=core.windows.net", s); }),
            new Kind("azure-ad-client-secret", x -> { String s = r(x, ALNUM, 3) + r(x, DIG, 1) + "Q~" + r(x, ALNUM + "_~.-", 34);
                return l("azure.client-credential=" + s, s); }),
            new Kind("github-token", x -> { String s = "ghp_" + r(x, ALNUM, 36); return l("GITHUB_TOKEN=" + s, s); }),
            new Kind("github-fine-grained-pat", x -> { String s = "github_pat_" + r(x, ALNUM + "_", 82); return l("gh auth login --with-token " + s, s); }),
            new Kind("gitlab-token", x -> { String s = "glpat-" + r(x, URLSAFE, 20); return l("export GL=" + s, s); }),
            new Kind("slack-token", x -> { String s = "xoxb-" + r(x, DIG, 12) + "-" + r(x, DIG, 12) + "-" + r(x, ALNUM, 24);
                return l("slack: { bot: \"" + s + "\" }", s); }),
            new Kind("slack-webhook", x -> { String s = "T" + r(x, UP + DIG, 10) + "/B" + r(x, UP + DIG, 10) + "/" + r(x, ALNUM, 24);
                return l("webhook = \"https://hooks.slack.com/services/" + s + "\"", s); }),
            new Kind("npm-token", x -> { String s = "npm_" + r(x, ALNUM, 36); return l("//registry.local/:_authToken=" + s, s); }),
            new Kind("pypi-token", x -> { String s = "pypi-AgEIcHlwaS5vcmc" + r(x, URLSAFE, 60); return l("password = " + s, s); }),
            new Kind("jwt", x -> { String s = "eyJhbGciOiJIUzI1NiJ9.eyJ" + r(x, URLSAFE, 40) + "." + r(x, URLSAFE, 43);
                return l("Authorization: Bearer " + s, s); }),
            new Kind("stripe-key", x -> { String s = "sk_live_" + r(x, ALNUM, 32); return l("Stripe.apiKey = \"" + s + "\";", s); }),
            new Kind("sendgrid-key", x -> { String s = "SG." + r(x, URLSAFE, 22) + "." + r(x, URLSAFE, 43); return l("SENDGRID_API_KEY='" + s + "'", s); }),
            new Kind("twilio-key", x -> { String s = "SK" + r(x, HEX, 32); return l("twilio.sid: " + s, s); }),
            new Kind("shopify-token", x -> { String s = "shpat_" + r(x, HEX, 32); return l("SHOPIFY=" + s, s); }),
            new Kind("digitalocean-token", x -> { String s = "dop_v1_" + r(x, HEX, 64); return l("do_token: " + s, s); }),
            new Kind("docker-hub-pat", x -> { String s = "dckr_pat_" + r(x, URLSAFE, 27); return l("docker login -p " + s, s); }),
            new Kind("openai-key", x -> { String s = "sk-proj-" + r(x, ALNUM, 24) + "T3BlbkFJ" + r(x, ALNUM, 24); return l("OPENAI_API_KEY=" + s, s); }),
            new Kind("basic-auth-url", x -> { String s = r(x, ALNUM, 14); return l("url: postgres://app:" + s + "@db.internal:5432/orders", s); }),
            new Kind("generic-assignment", x -> { String s = r(x, LOW, 6) + r(x, DIG, 3) + r(x, ALNUM + "!#%", 9);
                return l("db.password=" + s, s); }),
            new Kind("generic-assignment", x -> { String s = r(x, ALNUM, 8) + r(x, DIG, 2) + r(x, ALNUM, 20);
                return l("    private static final String API_TOKEN = \"" + s + "\";", s); }));

    /** Look-alikes that are not secrets. */
    private static final List<Function<SplittableRandom, String>> DECOYS = List.of(
            x -> "password = \"${DB_PASSWORD}\"",
            x -> "api_key = os.environ[\"API_KEY\"]",
            x -> "token: <your-token-here>",
            x -> "String password = request.getParameter(\"password\");",
            x -> "secret_name = db-credentials",
            x -> "private_key_path = /etc/keys/server.pem",
            x -> "aws_access_key_id = AKIA" + r(x, UP, 8) + "EXAMPLE",
            x -> "commit = " + r(x, HEX, 40),
            x -> "digest: sha256:" + r(x, HEX, 64),
            x -> "STRIPE_TEST = sk_test_" + r(x, ALNUM, 24),
            x -> "-----BEGIN PUBLIC KEY-----",
            x -> "-----BEGIN CERTIFICATE-----",
            x -> "url: https://user@git.internal/" + r(x, LOW, 8) + ".git",
            x -> "url: postgres://app:${PGPASSWORD}@db.internal:5432/orders",
            x -> "id = " + java.util.UUID.nameUUIDFromBytes(r(x, ALNUM, 8).getBytes(StandardCharsets.UTF_8)),
            x -> "token_type = bearer",
            x -> "password: changeme",
            x -> "ghp_short = 1",
            x -> "header = eyJ" + r(x, URLSAFE, 30),
            x -> "auth = config.security.authProvider",
            x -> "passwordMinLength = 12",
            x -> "secret = vault:secret/data/payments#db");

    private SecretCorpus() {
    }

    /**
     * A history of {@code commits} commits in a new repository at {@code dir} with {@code secrets} planted secrets (every
     * kind in turn; one in five removed by a later commit, one in ten base64-encoded) and {@code decoys} look-alikes.
     */
    public static Corpus generate(Path dir, int commits, int secrets, int decoys, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Planted> planted = new ArrayList<>();
        Map<String, List<String>> files = new TreeMap<>();
        int nFiles = 120;
        for (int i = 0; i < nFiles; i++) {
            List<String> lines = new ArrayList<>();
            for (int j = 0; j < 20; j++) {
                lines.add(filler(rnd, i, j));
            }
            files.put(path(i), lines);
        }
        Map<Integer, String[]> secretAt = new TreeMap<>();
        Map<Integer, Integer> decoyAt = new TreeMap<>();
        for (int i = 0; i < secrets; i++) {
            secretAt.put(1 + (int) ((long) i * (commits - 10) / secrets), null);
        }
        for (int i = 0; i < decoys; i++) {
            int c = 2 + (int) ((long) i * (commits - 10) / decoys);
            while (secretAt.containsKey(c) || decoyAt.containsKey(c)) {
                c++;
            }
            decoyAt.put(c, i);
        }
        Map<Integer, String[]> removals = new TreeMap<>();
        int planted0 = 0;
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            Repository repo = git.getRepository();
            ObjectId parent = null;
            try (ObjectInserter ins = repo.newObjectInserter()) {
                for (int c = 0; c < commits; c++) {
                    int f = rnd.nextInt(nFiles);
                    String p = path(f);
                    List<String> lines = files.get(p);
                    String message;
                    if (secretAt.containsKey(c)) {
                        Kind k = KINDS.get(planted0 % KINDS.size());
                        boolean encoded = planted0 % 10 == 9 && !k.rule().equals("private-key");
                        String[] ls = k.make().apply(rnd);
                        String line = encoded ? "data: " + Base64.getEncoder().encodeToString(ls[0].getBytes(StandardCharsets.UTF_8)) : ls[0];
                        boolean remove = planted0 % 5 == 4;
                        if (planted0 % 13 == 12) {
                            // a private key block
                            String body = r(rnd, B64, 64) + "\n" + r(rnd, B64, 64) + "\n" + r(rnd, B64, 40);
                            lines.add(lines.size() / 2, "-----BEGIN RSA PRIVATE KEY-----\n" + body + "\n-----END RSA PRIVATE KEY-----");
                            planted.add(new Planted("private-key", p, SecretScan.fingerprint(body.replace("\n", "")), body, remove));
                            if (remove) {
                                removals.put(free(c + 3, secretAt, decoyAt, removals), new String[] {p, "-----BEGIN RSA PRIVATE KEY-----\n" + body + "\n-----END RSA PRIVATE KEY-----"});
                            }
                        } else {
                            lines.add(lines.size() / 2, line);
                            planted.add(new Planted(k.rule(), p, SecretScan.fingerprint(ls[1]), ls[1], remove));
                            if (remove) {
                                removals.put(free(c + 3, secretAt, decoyAt, removals), new String[] {p, line});
                            }
                        }
                        planted0++;
                        message = "chore: configure " + p;
                    } else if (decoyAt.containsKey(c)) {
                        lines.add(lines.size() / 2, DECOYS.get(decoyAt.get(c) % DECOYS.size()).apply(rnd));
                        message = "feat: settings in " + p;
                    } else if (removals.containsKey(c)) {
                        String[] rm = removals.get(c);
                        files.get(rm[0]).remove(rm[1]);
                        p = rm[0];
                        message = "fix: remove a credential from " + p;
                    } else {
                        int at = rnd.nextInt(lines.size());
                        if (rnd.nextInt(3) == 0 && lines.size() > 10) {
                            lines.set(at, filler(rnd, f, c));
                        } else {
                            lines.add(at, filler(rnd, f, c));
                        }
                        message = (rnd.nextBoolean() ? "feat" : "fix") + ": change " + p + " #" + c;
                    }
                    parent = commit(ins, files, parent, message, c);
                }
                ins.flush();
            }
            RefUpdate u = repo.updateRef(Constants.R_HEADS + "main");
            u.setNewObjectId(parent);
            u.forceUpdate();
        } catch (GitAPIException | IOException e) {
            throw new IllegalStateException("cannot generate the corpus in " + dir, e);
        }
        return new Corpus(dir, planted, decoys, commits);
    }

    private static int free(int c, Map<Integer, ?> a, Map<Integer, ?> b, Map<Integer, ?> d) {
        int x = c;
        while (a.containsKey(x) || b.containsKey(x) || d.containsKey(x)) {
            x++;
        }
        return x;
    }

    private static String path(int i) {
        String[] dirs = {"src/main/java/app", "config", "deploy", "scripts", "web/src"};
        String[] ext = {".java", ".properties", ".yaml", ".sh", ".ts"};
        return dirs[i % dirs.length] + "/file" + i + ext[i % ext.length];
    }

    private static String filler(SplittableRandom rnd, int f, int n) {
        return switch (rnd.nextInt(5)) {
            case 0 -> "    int value" + n + " = compute(" + rnd.nextInt(1000) + ");";
            case 1 -> "// " + r(rnd, LOW, 6) + " " + r(rnd, LOW, 8) + " " + r(rnd, LOW, 5);
            case 2 -> "name" + f + "." + r(rnd, LOW, 5) + " = " + r(rnd, LOW, 7);
            case 3 -> "  - item: " + r(rnd, LOW, 10);
            default -> "log.info(\"step " + n + " done\");";
        };
    }

    private static ObjectId commit(ObjectInserter ins, Map<String, List<String>> files, ObjectId parent, String message, int n)
            throws IOException {
        // nested trees from the flat path map
        Map<String, Map<String, ObjectId>> dirs = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : files.entrySet()) {
            String p = e.getKey();
            int slash = p.lastIndexOf('/');
            ObjectId blob = ins.insert(Constants.OBJ_BLOB, (String.join("\n", e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
            dirs.computeIfAbsent(p.substring(0, slash), k -> new TreeMap<>()).put(p.substring(slash + 1), blob);
        }
        ObjectId root = tree(ins, "", dirs);
        CommitBuilder cb = new CommitBuilder();
        cb.setTreeId(root);
        if (parent != null) {
            cb.setParentId(parent);
        }
        PersonIdent who = new PersonIdent("Dev " + (n % 7), "dev" + (n % 7) + "@example.com",
                Instant.ofEpochSecond(1_700_000_000L + n * 60L), java.time.ZoneOffset.UTC);
        cb.setAuthor(who);
        cb.setCommitter(who);
        cb.setMessage(message + "\n");
        return ins.insert(cb);
    }

    /** The tree of directory {@code prefix} ("" for the root). */
    private static ObjectId tree(ObjectInserter ins, String prefix, Map<String, Map<String, ObjectId>> dirs) throws IOException {
        TreeMap<String, Object> entries = new TreeMap<>();
        Map<String, ObjectId> own = dirs.get(prefix);
        if (own != null) {
            own.forEach(entries::put);
        }
        for (String d : dirs.keySet()) {
            String rest = prefix.isEmpty() ? d : d.startsWith(prefix + "/") ? d.substring(prefix.length() + 1) : null;
            if (rest == null || rest.isEmpty()) {
                continue;
            }
            String child = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
            entries.putIfAbsent(child + "/", prefix.isEmpty() ? child : prefix + "/" + child);
        }
        TreeFormatter tf = new TreeFormatter();
        // git orders a tree's entries by name, a directory's name as if followed by '/'
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            if (e.getValue() instanceof ObjectId blob) {
                tf.append(e.getKey(), FileMode.REGULAR_FILE, blob);
            } else {
                String name = e.getKey().substring(0, e.getKey().length() - 1);
                tf.append(name, FileMode.TREE, tree(ins, (String) e.getValue(), dirs));
            }
        }
        return ins.insert(tf);
    }

}
