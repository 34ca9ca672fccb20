package io.releasegate.sbom;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Catalogs the Debian package database {@code var/lib/dpkg/status} (and the one-file-per-package
 * {@code var/lib/dpkg/status.d/} of distroless images): only packages whose {@code Status} is
 * {@code install ok installed}, with version, architecture and source package, and dependency edges from
 * {@code Depends} and {@code Pre-Depends} to the installed package (or the installed provider of a
 * virtual package) that satisfies each relation; of alternatives {@code a | b} the first installed one.
 * The status file states no licenses and no hashes (those live in {@code /usr/share/doc/<pkg>/copyright}
 * and {@code info/<pkg>.md5sums}).
 */
public final class DpkgCataloger {

    private DpkgCataloger() {
    }

    public static boolean isStatus(String path) {
        return path.equals("var/lib/dpkg/status") || path.endsWith("/var/lib/dpkg/status")
                || (path.contains("var/lib/dpkg/status.d/") && !path.endsWith(".md5sums") && !path.endsWith("/"));
    }

    private record Installed(String name, String arch, String version, Map<String, List<String>> fields) {
    }

    /** Catalogs the status file {@code path}; {@code distro} is the purl namespace ({@code debian}, {@code ubuntu}). */
    public static Catalog catalog(String path, InputStream in, String distro, Limits limits) {
        List<String> warnings = new ArrayList<>();
        Optional<String> text = Manifests.read(path, in, warnings);
        if (text.isEmpty()) {
            return new Catalog(List.of(), List.of(), warnings);
        }
        List<Installed> installed = new ArrayList<>();
        int stanzas = 0;
        for (String stanza : text.get().replace("\r\n", "\n").split("\n\\s*\n")) {
            if (stanza.isBlank()) {
                continue;
            }
            if (++stanzas > limits.maxEntries()) {
                warnings.add(path + ": more than " + limits.maxEntries() + " packages; the rest was not cataloged");
                break;
            }
            Map<String, List<String>> f = Manifests.headers(stanza.strip());
            String name = one(f, "package");
            String status = one(f, "status");
            if (name.isEmpty()) {
                warnings.add(path + ": a stanza without Package; ignored");
                continue;
            }
            // status.d files of distroless images have no Status field: the file's presence means installed
            if (!status.isEmpty() && !status.equals("install ok installed")) {
                continue;
            }
            installed.add(new Installed(name, one(f, "architecture"), one(f, "version"), f));
        }
        Map<String, List<Installed>> byName = new HashMap<>();
        Map<String, List<Installed>> providers = new HashMap<>();
        for (Installed p : installed) {
            byName.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(p);
            for (String prov : one(p.fields(), "provides").split(",")) {
                String virtual = Catalogers.head(Catalogers.head(prov.trim(), "[\\s(]"), ":");
                if (!virtual.isEmpty()) {
                    providers.computeIfAbsent(virtual, k -> new ArrayList<>()).add(p);
                }
            }
        }
        Map<Installed, String> refs = new LinkedHashMap<>();
        installed.forEach(p -> refs.put(p, path + "#" + p.name() + (p.arch().isEmpty() ? "" : ":" + p.arch())));
        List<SbomPackage> out = new ArrayList<>();
        for (Installed p : installed) {
            List<String> deps = new ArrayList<>();
            for (String field : List.of("pre-depends", "depends")) {
                for (String relation : one(p.fields(), field).split(",")) {
                    for (String alternative : relation.split("\\|")) {
                        String dep = Catalogers.head(alternative.trim(), "[\\s(\\[<]");
                        String depName = Catalogers.head(dep, ":");
                        if (depName.isEmpty()) {
                            continue;
                        }
                        Optional<Installed> target = pick(byName.getOrDefault(depName, List.of()), p.arch())
                                .or(() -> pick(providers.getOrDefault(depName, List.of()), p.arch()));
                        if (target.isPresent()) {
                            deps.add(refs.get(target.get()));
                            break;
                        }
                    }
                }
            }
            Map<String, String> qualifiers = new TreeMap<>();
            if (!p.arch().isEmpty()) {
                qualifiers.put("arch", p.arch());
            }
            String source = one(p.fields(), "source");
            Map<String, String> props = new TreeMap<>();
            if (!source.isEmpty()) {
                String srcName = Catalogers.head(source, "\\s");
                qualifiers.put("upstream", source.replaceAll("\\s*\\((.*)\\)", "@$1"));
                props.put("releasegate:deb:source", srcName);
            }
            String ref = refs.get(p);
            Optional<String> version = p.version().isEmpty() ? Optional.empty() : Optional.of(p.version());
            out.add(new SbomPackage(ref, "library", "deb", p.name(), Optional.empty(), version,
                    Optional.of(Purls.of("deb", Optional.of(distro), p.name(), version, qualifiers)), path, Map.of(), List.of(),
                    Optional.empty(), deps.stream().filter(d -> !d.equals(ref)).toList(), props));
        }
        return new Catalog(out, out.stream().map(SbomPackage::ref).toList(), warnings);
    }

    /** The package of the same architecture, else an {@code all} one, else the first. */
    private static Optional<Installed> pick(List<Installed> candidates, String arch) {
        return candidates.stream().filter(c -> c.arch().equals(arch)).findFirst()
                .or(() -> candidates.stream().filter(c -> c.arch().equals("all")).findFirst())
                .or(() -> candidates.stream().findFirst());
    }

    private static String one(Map<String, List<String>> f, String field) {
        return f.getOrDefault(field, List.of()).stream().findFirst().orElse("");
    }
}
