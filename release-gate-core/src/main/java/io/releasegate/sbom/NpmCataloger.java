package io.releasegate.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.json.Json;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Catalogs an npm {@code package-lock.json} (also the hidden {@code node_modules/.package-lock.json}).
 * Lockfile versions 2 and 3 are read from their {@code packages} map, keyed by install path
 * ({@code node_modules/a/node_modules/b}); version 1 from its nested {@code dependencies} tree, turned
 * into the same install paths. Every installed package gets its version, the {@code integrity} hashes
 * (SRI base64 to hex), its license, and dependency edges resolved the way Node resolves {@code require}:
 * the nearest {@code node_modules} up the install path ({@code dependencies}, {@code optionalDependencies},
 * {@code peerDependencies}, and for the project itself {@code devDependencies}). The project itself (and workspace members) are
 * the catalog's roots; workspace links point at the linked member.
 */
public final class NpmCataloger {

    private static final String NM = "node_modules/";

    private NpmCataloger() {
    }

    public static boolean isLockfile(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.equals("package-lock.json") || name.equals(".package-lock.json") || name.equals("npm-shrinkwrap.json");
    }

    /** Catalogs the lockfile read from {@code in} (not closed), named {@code path}. */
    public static Catalog catalog(String path, InputStream in, Limits limits) {
        List<String> warnings = new ArrayList<>();
        Optional<JsonNode> parsed = Manifests.readTree(path, in, warnings, Json.mapper(), "JSON");
        if (parsed.isEmpty()) {
            return new Catalog(List.of(), List.of(), warnings);
        }
        JsonNode lock = parsed.get();
        int version = lock.path("lockfileVersion").asInt(0);
        JsonNode packages;
        if (lock.path("packages").isObject() && version >= 2) {
            packages = lock.path("packages");
            if (version > 3) {
                warnings.add(path + ": lockfileVersion " + version + " is newer than 3; read as version 3");
            }
        } else if (version == 1 || lock.path("dependencies").isObject()) {
            packages = fromV1(lock, path, warnings);
        } else {
            warnings.add(path + ": no lockfileVersion and no packages; not an npm lockfile");
            return new Catalog(List.of(), List.of(), warnings);
        }
        if (packages.size() > limits.maxEntries()) {
            warnings.add(path + ": more than " + limits.maxEntries() + " packages; not cataloged");
            return new Catalog(List.of(), List.of(), warnings);
        }
        return build(path, packages, warnings);
    }

    private static Catalog build(String path, JsonNode packages, List<String> warnings) {
        Map<String, JsonNode> byKey = new TreeMap<>();
        packages.fields().forEachRemaining(e -> byKey.put(e.getKey(), e.getValue()));
        List<SbomPackage> out = new ArrayList<>();
        List<String> roots = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : byKey.entrySet()) {
            String key = e.getKey();
            JsonNode p = e.getValue();
            if (p.path("link").asBoolean(false)) {
                continue; // a workspace link: the member it points at is cataloged under its own key
            }
            boolean installed = key.startsWith(NM) || key.contains("/" + NM);
            String keyName = installed ? key.substring(key.lastIndexOf(NM) + NM.length()) : "";
            String declared = p.path("name").asText(keyName);
            String name = !declared.isEmpty() ? declared : key.isEmpty() ? "(root)" : key.substring(key.lastIndexOf('/') + 1);
            Optional<String> version = text(p, "version");
            boolean local = !installed;
            Optional<String> purl = declared.isEmpty() ? Optional.empty()
                    : version.filter(v -> !looksLikeUrl(v)).map(v -> purl(declared, v));
            Map<String, String> hashes = new TreeMap<>();
            for (String sri : p.path("integrity").asText("").split("\\s+")) {
                int dash = sri.indexOf('-');
                if (dash <= 0) {
                    continue;
                }
                String alg = switch (sri.substring(0, dash)) {
                    case "sha512" -> "SHA-512";
                    case "sha256" -> "SHA-256";
                    case "sha1" -> "SHA-1";
                    default -> null;
                };
                String hex = Manifests.base64ToHex(sri.substring(dash + 1)).orElse(null);
                if (alg != null && hex != null) {
                    hashes.put(alg, hex);
                } else if (hex == null) {
                    warnings.add(path + ": " + key + ": integrity '" + sri + "' is not valid base64; ignored");
                }
            }
            List<String> licenses = new ArrayList<>();
            if (p.path("license").isTextual()) {
                licenses.add(p.path("license").asText());
            } else if (p.path("license").path("type").isTextual()) {
                licenses.add(p.path("license").path("type").asText());
            }
            List<String> deps = new ArrayList<>();
            // a project's own devDependencies are installed with it; an installed package's are not
            List<String> fields = local ? List.of("dependencies", "optionalDependencies", "peerDependencies", "devDependencies")
                    : List.of("dependencies", "optionalDependencies", "peerDependencies");
            for (String field : fields) {
                for (Iterator<String> it = p.path(field).fieldNames(); it.hasNext(); ) {
                    String dep = it.next();
                    Optional<String> target = resolve(byKey, key, dep);
                    if (target.isPresent()) {
                        deps.add(ref(path, target.get()));
                    } else if (field.equals("dependencies") && !p.path("peer").asBoolean(false)) {
                        warnings.add(path + ": " + (key.isEmpty() ? "the root package" : key) + " depends on " + dep
                                + ", which is not in the lockfile");
                    }
                }
            }
            Map<String, String> props = new TreeMap<>();
            if (p.path("dev").asBoolean(false)) {
                props.put("releasegate:npm:dev", "true");
            }
            if (p.path("optional").asBoolean(false) || p.path("devOptional").asBoolean(false)) {
                props.put("releasegate:npm:optional", "true");
            }
            if (p.path("inBundle").asBoolean(false)) {
                props.put("releasegate:npm:bundled", "true");
            }
            String type = local ? "application" : "library";
            out.add(new SbomPackage(ref(path, key), type, "npm", name, Optional.empty(), version, purl,
                    key.isEmpty() ? path : path + "#" + key, hashes, licenses, Optional.empty(), deps, props));
            if (local) {
                roots.add(ref(path, key));
            }
        }
        return new Catalog(out, roots, warnings);
    }

    /** The install path {@code require(dep)} finds from the package at {@code from}: the nearest node_modules up the tree. */
    static Optional<String> resolve(Map<String, JsonNode> byKey, String from, String dep) {
        String base = from;
        while (true) {
            String candidate = (base.isEmpty() ? "" : base + "/") + NM + dep;
            JsonNode target = byKey.get(candidate);
            if (target != null) {
                if (target.path("link").asBoolean(false)) {
                    String resolved = target.path("resolved").asText("");
                    return byKey.containsKey(resolved) ? Optional.of(resolved) : Optional.empty();
                }
                return Optional.of(candidate);
            }
            if (base.isEmpty()) {
                return Optional.empty();
            }
            int up = base.lastIndexOf("/" + NM);
            base = up >= 0 ? base.substring(0, up) : "";
        }
    }

    private static String ref(String path, String key) {
        return key.isEmpty() ? path : path + "#" + key;
    }

    private static String purl(String name, String version) {
        if (name.startsWith("@") && name.contains("/")) {
            int slash = name.indexOf('/');
            return Purls.of("npm", Optional.of(name.substring(0, slash)), name.substring(slash + 1), Optional.of(version), Map.of());
        }
        return Purls.of("npm", name, version);
    }

    private static boolean looksLikeUrl(String v) {
        return v.contains(":") || v.contains("/");
    }

    private static Optional<String> text(JsonNode n, String field) {
        return n.path(field).isTextual() && !n.path(field).asText().isEmpty() ? Optional.of(n.path(field).asText()) : Optional.empty();
    }

    /** A version 1 lockfile's nested dependencies as a version 2 style packages map. */
    private static JsonNode fromV1(JsonNode lock, String path, List<String> warnings) {
        ObjectNode packages = JsonNodeFactory.instance.objectNode();
        ObjectNode root = packages.putObject("");
        if (lock.path("name").isTextual()) {
            root.put("name", lock.path("name").asText());
        }
        if (lock.path("version").isTextual()) {
            root.put("version", lock.path("version").asText());
        }
        warnings.add(path + ": lockfile version 1 does not state the project's direct dependencies; the root is linked to"
                + " every top-level package that no other package requires");
        Map<String, JsonNode> top = new LinkedHashMap<>();
        flattenV1(lock.path("dependencies"), "", packages, top);
        Map<String, Boolean> required = new HashMap<>();
        packages.fields().forEachRemaining(e -> e.getValue().path("dependencies").fieldNames().forEachRemaining(n -> required.put(n, true)));
        ObjectNode rootDeps = root.putObject("dependencies");
        top.keySet().stream().filter(n -> !required.containsKey(n)).sorted().forEach(n -> rootDeps.put(n, "*"));
        return packages;
    }

    private static void flattenV1(JsonNode deps, String prefix, ObjectNode packages, Map<String, JsonNode> top) {
        for (Iterator<Map.Entry<String, JsonNode>> it = deps.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + NM + e.getKey();
            JsonNode d = e.getValue();
            ObjectNode p = packages.putObject(key);
            for (String f : List.of("version", "integrity")) {
                if (d.path(f).isTextual()) {
                    p.put(f, d.path(f).asText());
                }
            }
            for (String f : List.of("dev", "optional", "bundled")) {
                if (d.path(f).asBoolean(false)) {
                    p.put(f.equals("bundled") ? "inBundle" : f, true);
                }
            }
            if (d.path("requires").isObject()) {
                p.set("dependencies", d.path("requires").deepCopy());
            }
            if (prefix.isEmpty()) {
                top.put(e.getKey(), d);
            }
            flattenV1(d.path("dependencies"), key + "/", packages, top);
        }
    }
}
