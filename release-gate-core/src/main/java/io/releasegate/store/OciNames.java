package io.releasegate.store;

import io.releasegate.error.InputException;
import java.util.regex.Pattern;

/** OCI distribution naming rules for repositories and tags. */
public final class OciNames {

    private static final Pattern REPOSITORY = Pattern.compile(
            "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    private OciNames() {
    }

    public static String repository(String name) {
        if (name == null || name.length() > 255 || !REPOSITORY.matcher(name).matches()) {
            throw new InputException("invalid artifact name '" + name + "': use lowercase letters, digits and "
                    + "separators (. _ -), optionally with / for a path, as OCI repository names require");
        }
        return name;
    }

    /**
     * The tag for a version. SemVer build metadata uses '+', which OCI tags cannot hold, so it is
     * written as '_' (the convention Helm uses); the mapping is one-to-one because SemVer forbids '_'.
     */
    public static String tagForVersion(String version) {
        String tag = version.replace('+', '_');
        if (!TAG.matcher(tag).matches()) {
            throw new InputException("version '" + version + "' cannot be an OCI tag (at most 128 characters of "
                    + "letters, digits, '.', '_', '-', not starting with '.' or '-')");
        }
        return tag;
    }
}
