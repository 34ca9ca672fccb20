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
 * Catalogs a Go module from its {@code go.mod} and, when present, the sibling {@code go.sum}. The main
 * module is the root and depends on its direct requirements; requirements marked {@code // indirect} are
 * cataloged without an edge from the main module (go.mod does not say which module needs them).
 * {@code replace} directives are applied: a module replaced by another module version is cataloged as the
 * replacement, one replaced by a local directory as a local package without a purl. go.sum's {@code h1:}
 * lines are recorded as properties, not as component hashes: {@code h1:} is the base64 SHA-256 of the
 * module's dirhash (a list of per-file SHA-256 sums), not a digest of any downloadable file.
 */
public final class GoModCataloger {

    private GoModCataloger() {
    }

    public static boolean isGoMod(String path) {
        return path.equals("go.mod") || path.endsWith("/go.mod");
    }

    private record Require(String module, String version, boolean indirect) {
    }

    private record Replacement(String module, Optional<String> version, boolean local) {
    }

    /** Catalogs {@code goMod} (not closed) named {@code path}, with the text of the sibling go.sum if there is one. */
    public static Catalog catalog(String path, InputStream goMod, Optional<String> goSum, Limits limits) {
        List<String> warnings = new ArrayList<>();
        Optional<String> text = Manifests.read(path, goMod, warnings);
        if (text.isEmpty()) {
            return new Catalog(List.of(), List.of(), warnings);
        }
        String module = "";
        Optional<String> goVersion = Optional.empty();
        List<Require> requires = new ArrayList<>();
        Map<String, Replacement> replaces = new HashMap<>(); // "module" or "module version"
        String block = "";
        int lineNo = 0;
        for (String raw : text.get().split("\n")) {
            lineNo++;
            boolean indirect = raw.matches(".*//\\s*indirect\\b.*");
            String line = raw.replaceAll("//.*$", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            if (!block.isEmpty()) {
                if (line.equals(")")) {
                    block = "";
                    continue;
                }
                directive(block, line, indirect, requires, replaces, path, lineNo, warnings);
                continue;
            }
            String[] words = line.split("\\s+", 2);
            String verb = words[0];
            String rest = words.length > 1 ? words[1].trim() : "";
            if (rest.equals("(")) {
                block = verb;
            } else if (verb.equals("module")) {
                module = unquote(rest);
            } else if (verb.equals("go")) {
                goVersion = Optional.of(rest);
            } else {
                directive(verb, rest, indirect, requires, replaces, path, lineNo, warnings);
            }
        }
        if (module.isEmpty()) {
            warnings.add(path + ": no module directive; not a go.mod");
            return new Catalog(List.of(), List.of(), warnings);
        }
        if (requires.size() > limits.maxEntries()) {
            warnings.add(path + ": more than " + limits.maxEntries() + " requirements; not cataloged");
            return new Catalog(List.of(), List.of(), warnings);
        }
        Map<String, String> sums = new HashMap<>(); // "module version" or "module version/go.mod" -> h1:...
        goSum.ifPresent(s -> {
            for (String l : s.split("\n")) {
                String[] f = l.trim().split("\\s+");
                if (f.length == 3 && f[2].startsWith("h1:")) {
                    sums.put(f[0] + " " + f[1], f[2]);
                }
            }
        });
        List<SbomPackage> out = new ArrayList<>();
        List<String> direct = new ArrayList<>();
        Map<String, Require> unique = new LinkedHashMap<>();
        for (Require r : requires) {
            if (unique.containsKey(r.module())) {
                warnings.add(path + ": " + r.module() + " is required twice; the later requirement is used");
            }
            unique.put(r.module(), r);
        }
        for (Require r : unique.values()) {
            Replacement rep = replaces.getOrDefault(r.module() + " " + r.version(), replaces.get(r.module()));
            String name = r.module();
            String version = r.version();
            Map<String, String> props = new TreeMap<>();
            Optional<String> purl;
            if (rep != null && rep.local()) {
                props.put("releasegate:golang:replaced-by", rep.module());
                purl = Optional.empty();
            } else {
                if (rep != null) {
                    props.put("releasegate:golang:replaces", r.module() + "@" + r.version());
                    name = rep.module();
                    version = rep.version().orElse(version);
                }
                purl = Optional.of(purl(name, version));
                String h1 = sums.get(name + " " + version);
                if (h1 != null) {
                    props.put("releasegate:golang:h1", h1);
                } else if (goSum.isPresent()) {
                    warnings.add(path + ": go.sum has no h1: line for " + name + " " + version);
                }
                Optional.ofNullable(sums.get(name + " " + version + "/go.mod")).ifPresent(h -> props.put("releasegate:golang:go.mod-h1", h));
            }
            if (r.indirect()) {
                props.put("releasegate:golang:indirect", "true");
            }
            String ref = path + "#" + r.module() + "@" + r.version();
            out.add(new SbomPackage(ref, "library", "golang", name, Optional.empty(), Optional.of(version), purl, path,
                    Map.of(), List.of(), Optional.empty(), List.of(), props));
            if (!r.indirect()) {
                direct.add(ref);
            }
        }
        if (goSum.isEmpty() && !unique.isEmpty()) {
            warnings.add(path + ": no go.sum next to it; module hashes are not recorded");
        }
        Map<String, String> mainProps = new TreeMap<>();
        goVersion.ifPresent(v -> mainProps.put("releasegate:golang:go", v));
        out.add(new SbomPackage(path, "application", "golang", module, Optional.empty(), Optional.empty(),
                Optional.of(Purls.of("golang", namespace(module), last(module), Optional.empty(), Map.of())), path,
                Map.of(), List.of(), Optional.empty(), direct, mainProps));
        return new Catalog(out, List.of(path), warnings);
    }

    private static void directive(String verb, String args, boolean indirect, List<Require> requires, Map<String, Replacement> replaces,
                                  String path, int lineNo, List<String> warnings) {
        switch (verb) {
            case "require" -> {
                String[] f = args.split("\\s+");
                if (f.length != 2) {
                    warnings.add(path + ":" + lineNo + ": malformed require '" + args + "'; ignored");
                    return;
                }
                requires.add(new Require(unquote(f[0]), f[1], indirect));
            }
            case "replace" -> {
                String[] sides = args.split("=>");
                if (sides.length != 2) {
                    warnings.add(path + ":" + lineNo + ": malformed replace '" + args + "'; ignored");
                    return;
                }
                String[] from = sides[0].trim().split("\\s+");
                String[] to = sides[1].trim().split("\\s+");
                boolean local = to[0].startsWith("./") || to[0].startsWith("../") || to[0].startsWith("/") || to.length == 1;
                Replacement rep = new Replacement(unquote(to[0]), to.length > 1 ? Optional.of(to[1]) : Optional.empty(), local);
                replaces.put(from.length > 1 ? unquote(from[0]) + " " + from[1] : unquote(from[0]), rep);
            }
            default -> {
                // exclude, retract, toolchain, godebug, tool: nothing to catalog
            }
        }
    }

    /** {@code pkg:golang/github.com/foo/bar@v1.2.3}: the module path's leading segments are the namespace. */
    static String purl(String module, String version) {
        return Purls.of("golang", namespace(module), last(module), Optional.of(version), Map.of());
    }

    private static Optional<String> namespace(String module) {
        int slash = module.lastIndexOf('/');
        return slash > 0 ? Optional.of(module.substring(0, slash)) : Optional.empty();
    }

    private static String last(String module) {
        return module.substring(module.lastIndexOf('/') + 1);
    }

    private static String unquote(String s) {
        return s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("`") && s.endsWith("`")) ? s.substring(1, s.length() - 1) : s;
    }
}
