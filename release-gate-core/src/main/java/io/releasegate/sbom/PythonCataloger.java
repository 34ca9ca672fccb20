package io.releasegate.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;


import java.util.ArrayList;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Catalogs an installed Python distribution from its {@code *.dist-info/METADATA} (RFC 822 style core
 * metadata): name, version, license ({@code License-Expression}, else a short {@code License}, else the
 * {@code License ::} classifiers), and {@code Requires-Dist} requirements that do not depend on an extra.
 * A requirement becomes a dependency edge to {@code <site directory>#pypi/<normalized name>}; edges to
 * distributions not installed in the same site directory are dropped when catalogs are merged. When the
 * sibling {@code RECORD} is given, the METADATA file's own SHA-256 is checked against it. An installed
 * tree holds no wheel or sdist, so no archive hash is recorded.
 */
public final class PythonCataloger {

    private static final Pattern REQUIREMENT_NAME = Pattern.compile("^\\s*([A-Za-z0-9][A-Za-z0-9._-]*)");

    private PythonCataloger() {
    }

    public static boolean isMetadata(String path) {
        return path.endsWith(".dist-info/METADATA");
    }

    /** PEP 503 normalization: lower case, runs of {@code -_.} become one {@code -}. */
    public static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    /** The ref of a distribution named {@code name} installed in {@code siteDir}. */
    static String ref(String siteDir, String name) {
        return siteDir + "#pypi/" + normalize(name);
    }

    /** Catalogs {@code metadata} (not closed), the file {@code path}, with its RECORD's text if known. */
    public static Catalog catalog(String path, InputStream metadata, Optional<String> record, Limits limits) {
        List<String> warnings = new ArrayList<>();
        byte[] bytes;
        try {
            bytes = metadata.readNBytes(Manifests.MAX_BYTES + 1);
        } catch (IOException e) {
            warnings.add(path + ": cannot be read (" + e.getMessage() + ")");
            return new Catalog(List.of(), List.of(), warnings);
        }
        if (bytes.length > Manifests.MAX_BYTES) {
            warnings.add(path + ": larger than " + Manifests.MAX_BYTES + " bytes; not cataloged");
            return new Catalog(List.of(), List.of(), warnings);
        }
        Map<String, List<String>> headers = Manifests.headers(new String(bytes, StandardCharsets.UTF_8));
        String name = first(headers, "name").orElse("");
        Optional<String> version = first(headers, "version");
        if (name.isEmpty()) {
            warnings.add(path + ": no Name header; not cataloged");
            return new Catalog(List.of(), List.of(), warnings);
        }
        String distInfo = path.substring(0, path.length() - "/METADATA".length());
        int slash = distInfo.lastIndexOf('/');
        String siteDir = slash >= 0 ? distInfo.substring(0, slash) : ".";
        List<String> licenses = new ArrayList<>();
        Optional<String> expression = first(headers, "license-expression");
        Optional<String> license = first(headers, "license").filter(l -> !l.isBlank() && !l.contains("\n") && l.length() <= 100
                && !l.equalsIgnoreCase("UNKNOWN"));
        if (expression.isPresent()) {
            licenses.add(expression.get());
        } else if (license.isPresent()) {
            licenses.add(license.get());
        } else {
            for (String c : headers.getOrDefault("classifier", List.of())) {
                if (c.startsWith("License ::")) {
                    licenses.add(c.substring(c.lastIndexOf("::") + 2).trim());
                }
            }
        }
        List<String> deps = new ArrayList<>();
        for (String req : headers.getOrDefault("requires-dist", List.of())) {
            int semi = req.indexOf(';');
            if (semi >= 0 && req.substring(semi).matches("(?s).*\\bextra\\s*==.*")) {
                continue; // only needed with an extra, which METADATA does not say was chosen
            }
            Matcher m = REQUIREMENT_NAME.matcher(req);
            if (m.find()) {
                deps.add(ref(siteDir, m.group(1)));
            }
        }
        Map<String, String> props = new TreeMap<>();
        String sha256 = io.releasegate.digest.Digester.of(bytes).hex();
        props.put("releasegate:pypi:metadata-sha256", sha256);
        record.ifPresent(r -> {
            String metadataEntry = distInfo.substring(slash + 1) + "/METADATA";
            for (String line : r.split("\n")) {
                String[] f = line.trim().split(",");
                if (f.length >= 2 && f[0].equals(metadataEntry) && f[1].startsWith("sha256=")) {
                    String recorded = Manifests.base64ToHex(f[1].substring(7)).orElse("");
                    if (!recorded.equals(sha256)) {
                        warnings.add(path + ": does not match the SHA-256 its RECORD lists (modified after installation?)");
                    }
                }
            }
        });
        String ref = ref(siteDir, name);
        SbomPackage p = new SbomPackage(ref, "library", "pypi", name, Optional.empty(), version,
                version.map(v -> Purls.of("pypi", normalize(name), v)), path, Map.of(), licenses, Optional.empty(),
                deps.stream().filter(d -> !d.equals(ref)).toList(), props);
        return new Catalog(List.of(p), List.of(ref), warnings);
    }

    private static Optional<String> first(Map<String, List<String>> headers, String field) {
        return headers.getOrDefault(field, List.of()).stream().findFirst().filter(v -> !v.isEmpty());
    }
}
