package io.releasegate.sbom;

import java.util.Locale;
import java.util.Map;

/** Maps license names as poms declare them to SPDX identifiers, for the common cases; others stay names. */
final class Licenses {

    private static final Map<String, String> KNOWN = Map.ofEntries(
            Map.entry("apache-2.0", "Apache-2.0"), Map.entry("apache license, version 2.0", "Apache-2.0"),
            Map.entry("the apache software license, version 2.0", "Apache-2.0"), Map.entry("apache license 2.0", "Apache-2.0"),
            Map.entry("the apache license, version 2.0", "Apache-2.0"), Map.entry("mit", "MIT"), Map.entry("mit license", "MIT"),
            Map.entry("the mit license", "MIT"), Map.entry("bsd-3-clause", "BSD-3-Clause"), Map.entry("bsd-2-clause", "BSD-2-Clause"),
            Map.entry("eclipse public license - v 2.0", "EPL-2.0"), Map.entry("epl-2.0", "EPL-2.0"),
            Map.entry("eclipse public license v2.0", "EPL-2.0"), Map.entry("epl-1.0", "EPL-1.0"),
            Map.entry("gnu lesser general public license", "LGPL-2.1-or-later"), Map.entry("lgpl-2.1", "LGPL-2.1-only"),
            Map.entry("gpl-3.0", "GPL-3.0-only"), Map.entry("agpl-3.0", "AGPL-3.0-only"), Map.entry("mpl-2.0", "MPL-2.0"),
            Map.entry("cddl-1.0", "CDDL-1.0"), Map.entry("edl-1.0", "BSD-3-Clause"), Map.entry("eclipse distribution license - v 1.0", "BSD-3-Clause"));

    private Licenses() {
    }

    /** The SPDX id for a declared license name, or null when unknown. */
    static String spdxId(String declared) {
        return KNOWN.get(declared.trim().toLowerCase(Locale.ROOT));
    }
}
