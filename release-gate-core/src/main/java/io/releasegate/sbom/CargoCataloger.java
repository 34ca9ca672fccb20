package io.releasegate.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Catalogs a Rust {@code Cargo.lock} (format versions 1 to 4): every {@code [[package]]} with its name,
 * version, source and {@code checksum} (the SHA-256 of the {@code .crate} file; version 1 keeps them in
 * {@code [metadata]}), and dependency edges from {@code dependencies}, whose entries name a package by
 * {@code name}, {@code name version} or {@code name version (source)} when several versions are locked.
 * Packages without a source are the workspace's own (path) crates: the catalog's roots, without a purl.
 */
public final class CargoCataloger {

    private CargoCataloger() {
    }

    public static boolean isLockfile(String path) {
        return path.equals("Cargo.lock") || path.endsWith("/Cargo.lock");
    }

    private record Locked(String name, String version, Optional<String> source, JsonNode node) {
        String id() {
            return name + " " + version;
        }
    }

    public static Catalog catalog(String path, InputStream in, Limits limits) {
        List<String> warnings = new ArrayList<>();
        Optional<JsonNode> parsed = Manifests.readTree(path, in, warnings, new TomlMapper(), "TOML");
        if (parsed.isEmpty()) {
            return new Catalog(List.of(), List.of(), warnings);
        }
        JsonNode lock = parsed.get();
        JsonNode packages = lock.path("package");
        if (!packages.isArray()) {
            warnings.add(path + ": no [[package]] entries; not cataloged");
            return new Catalog(List.of(), List.of(), warnings);
        }
        if (packages.size() > limits.maxEntries()) {
            warnings.add(path + ": more than " + limits.maxEntries() + " packages; not cataloged");
            return new Catalog(List.of(), List.of(), warnings);
        }
        List<Locked> all = new ArrayList<>();
        Map<String, List<Locked>> byName = new HashMap<>();
        for (JsonNode p : packages) {
            String name = p.path("name").asText("");
            String version = p.path("version").asText("");
            if (name.isEmpty() || version.isEmpty()) {
                warnings.add(path + ": a [[package]] without name or version; ignored");
                continue;
            }
            Optional<String> source = p.path("source").isTextual() ? Optional.of(p.path("source").asText()) : Optional.empty();
            Locked l = new Locked(name, version, source, p);
            all.add(l);
            byName.computeIfAbsent(name, k -> new ArrayList<>()).add(l);
        }
        // refs: name@version, with the source when one name and version is locked from two sources
        Map<Locked, String> refs = new HashMap<>();
        Map<String, Integer> idCount = new HashMap<>();
        all.forEach(l -> idCount.merge(l.id(), 1, Integer::sum));
        for (Locked l : all) {
            String ref = path + "#" + l.name() + "@" + l.version();
            if (idCount.get(l.id()) > 1) {
                ref += "#" + l.source().orElse("path");
            }
            refs.put(l, ref);
        }
        JsonNode metadata = lock.path("metadata"); // format 1: "checksum NAME VERSION (SOURCE)" = "hex"
        List<SbomPackage> out = new ArrayList<>();
        List<String> roots = new ArrayList<>();
        for (Locked l : all) {
            List<String> deps = new ArrayList<>();
            for (JsonNode d : l.node().path("dependencies")) {
                Optional<Locked> target = resolve(d.asText(), byName);
                if (target.isPresent()) {
                    deps.add(refs.get(target.get()));
                } else {
                    warnings.add(path + ": " + l.id() + " depends on '" + d.asText() + "', which is not locked or is ambiguous");
                }
            }
            Map<String, String> hashes = new TreeMap<>();
            String checksum = l.node().path("checksum").asText(
                    metadata.path("checksum " + l.id() + " (" + l.source().orElse("") + ")").asText(""));
            if (checksum.matches("[0-9a-f]{64}")) {
                hashes.put("SHA-256", checksum);
            } else if (!checksum.isEmpty() && !checksum.equals("<none>")) {
                warnings.add(path + ": " + l.id() + ": checksum '" + checksum + "' is not a SHA-256; ignored");
            }
            boolean local = l.source().isEmpty();
            Map<String, String> props = new TreeMap<>();
            l.source().ifPresent(s -> props.put("releasegate:cargo:source", s));
            Optional<String> purl = local ? Optional.empty() : Optional.of(l.source().get().startsWith("git+")
                    ? Purls.of("cargo", Optional.empty(), l.name(), Optional.of(l.version()),
                            Map.of("vcs_url", l.source().get().substring(4)))
                    : Purls.of("cargo", l.name(), l.version()));
            String ref = refs.get(l);
            out.add(new SbomPackage(ref, local ? "application" : "library", "cargo", l.name(), Optional.empty(),
                    Optional.of(l.version()), purl, path, hashes, List.of(), Optional.empty(), deps, props));
            if (local) {
                roots.add(ref);
            }
        }
        return new Catalog(out, roots, warnings);
    }

    /** The locked package a dependency entry names: {@code name}, {@code name version} or {@code name version (source)}. */
    private static Optional<Locked> resolve(String entry, Map<String, List<Locked>> byName) {
        String[] parts = entry.trim().split(" ", 3);
        List<Locked> candidates = byName.getOrDefault(parts[0], List.of());
        if (parts.length >= 2) {
            candidates = candidates.stream().filter(c -> c.version().equals(parts[1])).toList();
        }
        if (parts.length == 3 && candidates.size() > 1) {
            String source = parts[2].replaceAll("^\\(|\\)$", "");
            candidates = candidates.stream().filter(c -> c.source().orElse("").equals(source)).toList();
        }
        return candidates.size() == 1 ? Optional.of(candidates.get(0)) : Optional.empty();
    }
}
