package io.releasegate.scope;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The credential formats the secrets scan knows: each a rule id, the literal a line must contain before its pattern is
 * tried (a cheap filter), and a pattern whose group {@code s} is the secret. The last rule, {@code generic-assignment},
 * is a value assigned to a name like password/secret/token, kept only when it looks random (see {@link #random}).
 */
public final class SecretRules {

    /** One rule. {@code keyword} is matched case-insensitively when {@code anyCase}. */
    public record Rule(String id, String title, String keyword, boolean anyCase, Pattern pattern) {
    }

    public static final String PRIVATE_KEY = "private-key";
    public static final String GENERIC = "generic-assignment";

    private static Rule rule(String id, String title, String keyword, boolean anyCase, String regex) {
        return new Rule(id, title, keyword, anyCase, Pattern.compile(regex));
    }

    /** In order of preference: a secret two rules match is reported under the first. */
    public static final List<Rule> ALL = List.of(
            rule(PRIVATE_KEY, "private key block", "PRIVATE KEY", false,
                    "-----BEGIN (?<s>(?:RSA |DSA |EC |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----"),
            rule("aws-access-key-id", "AWS access key id", "A", false, "\\b(?<s>(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\\b"),
            rule("aws-secret-access-key", "AWS secret access key", "aws", true,
                    "(?i)aws.{0,24}?(?:secret|key)[\\w.-]{0,24}\\s*(?:=|:|=>)\\s*[\"']?(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"),
            rule("gcp-api-key", "Google API key", "AIza", false, "\\b(?<s>AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])"),
            rule("gcp-service-account-key", "Google service account key id", "private_key_id", false,
                    "\"private_key_id\"\\s*:\\s*\"(?<s>[a-f0-9]{40})\""),
            rule("gcp-oauth-client-secret", "Google OAuth client secret", "GOCSPX-", false, "\\b(?<s>GOCSPX-[A-Za-z0-9_-]{28})(?![A-Za-z0-9_-])"),
            rule("azure-storage-key", "Azure storage account key", "accountkey=", true,
                    "(?i)AccountKey=(?<s>[A-Za-z0-9+/]{86}==)"),
            rule("azure-ad-client-secret", "Azure AD client secret", "Q~", false,
                    "(?<![A-Za-z0-9_~.-])(?<s>[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])"),
            rule("github-token", "GitHub token", "gh", false, "\\b(?<s>gh[pousr]_[A-Za-z0-9]{36,255})\\b"),
            rule("github-fine-grained-pat", "GitHub fine-grained token", "github_pat_", false,
                    "\\b(?<s>github_pat_[A-Za-z0-9_]{82})\\b"),
            rule("gitlab-token", "GitLab token", "gl", false,
                    "\\b(?<s>(?:glpat|gldt|glrt|glsoat|glft)-[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])"),
            rule("gitlab-trigger-token", "GitLab pipeline trigger token", "glptt-", false, "\\b(?<s>glptt-[0-9a-f]{40})\\b"),
            rule("slack-token", "Slack token", "xox", false, "\\b(?<s>xox[abposr]-(?:\\d+-)+[A-Za-z0-9-]{10,})\\b"),
            rule("slack-webhook", "Slack incoming webhook", "hooks.slack.com", false,
                    "hooks\\.slack\\.com/services/(?<s>T[A-Z0-9]{8,}/B[A-Z0-9]{8,}/[A-Za-z0-9]{24})"),
            rule("npm-token", "npm access token", "npm_", false, "\\b(?<s>npm_[A-Za-z0-9]{36})\\b"),
            rule("pypi-token", "PyPI upload token", "pypi-", false, "\\b(?<s>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})"),
            rule("jwt", "JSON Web Token", "eyJ", false,
                    "\\b(?<s>eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,})"),
            rule("stripe-key", "Stripe secret key", "_live_", false, "\\b(?<s>(?:sk|rk)_live_[0-9A-Za-z]{24,99})\\b"),
            rule("sendgrid-key", "SendGrid API key", "SG.", false, "\\b(?<s>SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])"),
            rule("twilio-key", "Twilio API key", "SK", false, "\\b(?<s>SK[0-9a-f]{32})\\b"),
            rule("shopify-token", "Shopify token", "shp", false, "\\b(?<s>shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32})\\b"),
            rule("digitalocean-token", "DigitalOcean token", "do", false, "\\b(?<s>do[opr]_v1_[a-f0-9]{64})\\b"),
            rule("vault-token", "HashiCorp Vault token", "hv", false, "\\b(?<s>hv[sb]\\.[A-Za-z0-9_-]{24,})(?![A-Za-z0-9_-])"),
            rule("docker-hub-pat", "Docker Hub access token", "dckr_pat_", false, "\\b(?<s>dckr_pat_[A-Za-z0-9_-]{27})(?![A-Za-z0-9_-])"),
            rule("openai-key", "OpenAI API key", "T3BlbkFJ", false,
                    "\\b(?<s>sk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])"),
            rule("anthropic-key", "Anthropic API key", "sk-ant-", false, "\\b(?<s>sk-ant-(?:api|admin)\\d\\d-[A-Za-z0-9_-]{80,})"),
            rule("basic-auth-url", "URL with a password", "://", false,
                    "\\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\\s:/@'\"]{1,64}:(?<s>[^\\s:/@'\"]{3,128})@[^\\s/'\"]+"),
            rule(GENERIC, "high-entropy value assigned to a secret-like name", "", true,
                    "(?i)(?:^|[^A-Za-z0-9])[\\w.-]{0,40}(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
                            + "private[_-]?key|client[_-]?secret|credentials?|auth)[\\w.-]{0,20}[\"']?\\s*(?:=|:=|:|=>)\\s*"
                            + "(?:\"(?<s>[^\"\\s]{8,200})\"|'(?<s2>[^'\\s]{8,200})'|(?<s3>[^\\s\"',;)(\\[\\]{}<>]{8,200}))"));

    private static final String[] GENERIC_NAMES = {"password", "passwd", "pwd", "secret", "token", "key", "credential", "auth"};
    private static final List<String> PLACEHOLDERS = List.of("example", "changeme", "change_me", "placeholder", "dummy",
            "redacted", "xxxx", "****", "your_", "your-", "<", "${", "{{", "%(", "$(", "process.env", "getenv", "os.environ",
            "secrets.", "vault:", "env.", "null", "none", "true", "false", "sample", "test1234");

    private SecretRules() {
    }

    /** Whether a rule's keyword is in the line ({@code lower} is the line in lower case). */
    static boolean mayMatch(Rule r, String line, String lower) {
        if (r.id().equals(GENERIC)) {
            for (String n : GENERIC_NAMES) {
                if (lower.contains(n)) {
                    return true;
                }
            }
            return false;
        }
        return r.anyCase() ? lower.contains(r.keyword().toLowerCase(Locale.ROOT)) : line.contains(r.keyword());
    }

    /** The secret of a match: group {@code s} (or the generic rule's alternatives). */
    static String secret(Rule r, Matcher m) {
        if (r.id().equals(GENERIC)) {
            for (String g : List.of("s", "s2", "s3")) {
                if (m.group(g) != null) {
                    return m.group(g);
                }
            }
        }
        return m.group("s");
    }

    /** Whether a candidate is a real secret for its rule: placeholders and references are not; generic values must look random. */
    static boolean plausible(Rule r, String secret) {
        String lower = secret.toLowerCase(Locale.ROOT);
        if (r.id().equals("basic-auth-url") || r.id().equals(GENERIC)) {
            for (String p : PLACEHOLDERS) {
                if (lower.contains(p)) {
                    return false;
                }
            }
            if (secret.startsWith("$") || secret.startsWith("%") || lower.equals("password") || lower.equals("pass")) {
                return false;
            }
        }
        if (r.id().equals(GENERIC)) {
            return random(secret);
        }
        return true;
    }

    /**
     * A value that looks random: at least 8 characters, a letter and a digit (a word or a dotted reference is a name,
     * not a secret), not one repeated character, and at least 3 bits of Shannon entropy per character.
     */
    static boolean random(String s) {
        if (s.length() < 8 || s.matches("[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)+")) {
            return false;
        }
        boolean letter = false;
        boolean digit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            letter |= Character.isLetter(c);
            digit |= Character.isDigit(c);
        }
        return letter && digit && entropy(s) >= 3.0;
    }

    static double entropy(String s) {
        java.util.Map<Character, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < s.length(); i++) {
            counts.merge(s.charAt(i), 1, Integer::sum);
        }
        double h = 0;
        for (int c : counts.values()) {
            double p = (double) c / s.length();
            h -= p * (Math.log(p) / Math.log(2));
        }
        return h;
    }
}
