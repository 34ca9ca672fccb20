package io.releasegate.sbom;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Catalogs the Alpine package database {@code lib/apk/db/installed}: every package ({@code P}) with its
 * version ({@code V}), architecture ({@code A}), license ({@code L}) and origin ({@code o}), and dependency
 * edges from {@code D} to the installed package that has that name or provides it ({@code p}, such as
 * {@code so:libc.musl-x86_64.so.1} or {@code cmd:sh}); conflicts ({@code !name}) are not dependencies.
 * The {@code C:} checksum ({@code Q1} + base64) is the SHA-1 of the package's control segment, which
 * identifies the package build but is not a digest of the {@code .apk} file: it is kept as a property.
 */
public final class ApkCataloger {

    private ApkCataloger() {
    }

    public static boolean isInstalledDb(String path) {
        return path.equals("lib/apk/db/installed") || path.endsWith("/lib/apk/db/installed");
    }

    /** Catalogs the database {@code path}; {@code distro} is the purl namespace ({@code alpine}, {@code wolfi}). */
    public static Catalog catalog(String path, InputStream in, String distro, Limits limits) {
        List<String> warnings = new ArrayList<>();
        Optional<String> text = Manifests.read(path, in, warnings);
        if (text.isEmpty()) {
            return new Catalog(List.of(), List.of(), warnings);
        }
        List<Map<String, String>> records = new ArrayList<>();
        Map<String, String> current = new HashMap<>();
        for (String line : (text.get().replace("\r\n", "\n") + "\n\n").split("\n", -1)) {
            if (line.isBlank()) {
                if (current.containsKey("P")) {
                    records.add(current);
                    if (records.size() > limits.maxEntries()) {
                        warnings.add(path + ": more than " + limits.maxEntries() + " packages; the rest was not cataloged");
                        break;
                    }
                } else if (!current.isEmpty()) {
                    warnings.add(path + ": a record without P: (package name); ignored");
                }
                current = new HashMap<>();
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != ':') {
                continue;
            }
            String key = line.substring(0, 1);
            // file records (F, R, a, M, Z) repeat; only the package's own fields are kept
            if (!"FRaMZ".contains(key)) {
                current.putIfAbsent(key, line.substring(2));
            }
        }
        Map<String, Map<String, String>> provider = new HashMap<>();
        for (Map<String, String> r : records) {
            provider.putIfAbsent(r.get("P"), r);
        }
        for (Map<String, String> r : records) {
            for (String p : r.getOrDefault("p", "").split("\\s+")) {
                String name = Catalogers.head(p, "=");
                if (!name.isEmpty()) {
                    provider.putIfAbsent(name, r);
                }
            }
        }
        List<SbomPackage> out = new ArrayList<>();
        for (Map<String, String> r : records) {
            String name = r.get("P");
            String ref = path + "#" + name;
            List<String> deps = new ArrayList<>();
            for (String d : r.getOrDefault("D", "").split("\\s+")) {
                if (d.isEmpty() || d.startsWith("!")) {
                    continue;
                }
                String[] parts = d.split("[<>=~]");
                if (parts.length == 0 || parts[0].isEmpty()) {
                    continue; // a constraint without a name ("=1.0"): nothing to point to
                }
                String depName = parts[0];
                Map<String, String> target = provider.get(depName);
                if (target != null && target != r) {
                    deps.add(path + "#" + target.get("P"));
                }
            }
            Optional<String> version = Optional.ofNullable(r.get("V")).filter(v -> !v.isEmpty());
            Map<String, String> qualifiers = new TreeMap<>();
            Optional.ofNullable(r.get("A")).ifPresent(a -> qualifiers.put("arch", a));
            Optional.ofNullable(r.get("o")).filter(o -> !o.equals(name)).ifPresent(o -> qualifiers.put("upstream", o));
            Map<String, String> props = new TreeMap<>();
            Optional.ofNullable(r.get("o")).ifPresent(o -> props.put("releasegate:apk:origin", o));
            Optional.ofNullable(r.get("c")).ifPresent(c -> props.put("releasegate:apk:commit", c));
            String checksum = r.getOrDefault("C", "");
            if (checksum.startsWith("Q1")) {
                Optional<String> hex = Manifests.base64ToHex(checksum.substring(2)).filter(h -> h.length() == 40);
                if (hex.isPresent()) {
                    props.put("releasegate:apk:control-sha1", hex.get());
                } else {
                    warnings.add(path + ": " + name + ": checksum " + checksum + " is not a Q1 SHA-1; ignored");
                }
            }
            List<String> licenses = Optional.ofNullable(r.get("L")).filter(l -> !l.isBlank()).map(List::of).orElse(List.of());
            out.add(new SbomPackage(ref, "library", "apk", name, Optional.empty(), version,
                    Optional.of(Purls.of("apk", Optional.of(distro), name, version, qualifiers)), path, Map.of(), licenses,
                    Optional.empty(), deps, props));
        }
        return new Catalog(out, out.stream().map(SbomPackage::ref).toList(), warnings);
    }
}
