package io.releasegate.sbom;

import java.io.InputStream;

/**
 * Chooses the cataloger for a file by its name. Every cataloger reads a stream it does not close,
 * names its packages' refs after {@code path} (so refs stay unique across the files of one SBOM), and
 * reports unreadable input as warnings rather than failing.
 */
public final class Catalogers {

    private Catalogers() {
    }

    /** Whether some cataloger reads a file of this name (or path inside an archive or layer). */
    public static boolean supports(String path) {
        return JvmCataloger.isArchive(path);
    }

    /** Catalogs {@code in} (not closed), read as the file {@code path}. */
    public static Catalog catalog(String path, InputStream in, Limits limits) {
        if (JvmCataloger.isArchive(path)) {
            return JvmCataloger.catalog(path, in, limits);
        }
        throw new IllegalArgumentException("no cataloger reads " + path);
    }
}
