package io.releasegate.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.store.MediaTypes;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Catalogs a container image in an OCI image layout (a directory, or a {@code .tar} of one): the image
 * manifest is chosen from {@code index.json} (by {@code org.opencontainers.image.ref.name}, or the only one;
 * from an image index the {@code linux/amd64} image or the only one), its layers (uncompressed or gzip tar)
 * are applied in order with whiteouts ({@code .wh.NAME} removes NAME from lower layers, {@code .wh..wh..opq}
 * empties a directory of lower layers), and the files some cataloger reads are extracted from the final
 * filesystem and cataloged there: dpkg and apk databases, Python dist-info, npm lockfiles, JVM archives and
 * the rest of {@link Catalogers}. The image's identity is its manifest digest. Hostile input (more entries,
 * bytes or compression than {@link Limits} allows, names that traverse or are absolute, links that escape
 * the root, truncated or corrupt layers, blobs that do not match their digest) is recorded as a warning;
 * only a layout that cannot be read at all is an {@link InputException}.
 */
public final class OciCataloger {

    public static final String REF_NAME = MediaTypes.ANNOTATION_REF_NAME;
    private static final int MAX_JSON = 4 << 20;
    private static final java.util.regex.Pattern LAYOUT_FILE =
            java.util.regex.Pattern.compile("oci-layout|index\\.json|blobs/sha256/[0-9a-f]{64}|blobs/sha512/[0-9a-f]{128}");

    /** The image a layout holds: its manifest digest (the SBOM's subject) and what was found in it. */
    public record Image(Digest manifest, Optional<String> refName, Catalog catalog) {
    }

    private final Limits limits;
    private final List<String> warnings = new ArrayList<>();
    private long entries;
    private final LimitedInputStream.Budget budget = new LimitedInputStream.Budget();

    private OciCataloger(Limits limits) {
        this.limits = limits;
    }

    public static boolean isLayoutTar(String path) {
        return path.toLowerCase(java.util.Locale.ROOT).endsWith(".tar");
    }

    /** Catalogs the image in the layout directory {@code layout}, the one named {@code refName} if given. */
    public static Image catalog(Path layout, Optional<String> refName, Limits limits) {
        OciCataloger c = new OciCataloger(limits);
        Path fs;
        try {
            fs = Files.createTempDirectory("release-gate-rootfs");
        } catch (IOException e) {
            throw new InputException("cannot create a temporary directory: " + e.getMessage(), e);
        }
        try {
            return c.image(layout, refName, fs);
        } finally {
            deleteTree(fs);
        }
    }

    /** Catalogs the image in the tar of a layout read from {@code in} (not closed), named {@code path}. */
    public static Image catalogTar(String path, InputStream in, Optional<String> refName, Limits limits) {
        OciCataloger c = new OciCataloger(limits);
        Path layout;
        try {
            layout = Files.createTempDirectory("release-gate-layout");
        } catch (IOException e) {
            throw new InputException("cannot create a temporary directory: " + e.getMessage(), e);
        }
        try {
            c.extract(path, in, layout);
            if (!Files.isRegularFile(layout.resolve("oci-layout"))) {
                throw new InputException(path + " is not an OCI image layout (no oci-layout file)"
                        + (c.warnings.isEmpty() ? "" : "; " + String.join("; ", c.warnings)));
            }
            Image image = catalog(layout, refName, limits);
            List<String> all = new ArrayList<>(c.warnings);
            all.addAll(image.catalog().warnings());
            Catalog cat = image.catalog();
            return new Image(image.manifest(), image.refName(), new Catalog(cat.packages(), cat.roots(), all));
        } finally {
            deleteTree(layout);
        }
    }

    private Image image(Path layout, Optional<String> refName, Path fs) {
        JsonNode ociLayout = json(layout.resolve("oci-layout"), "oci-layout");
        if (!ociLayout.path("imageLayoutVersion").isTextual()) {
            throw new InputException(layout + " is not an OCI image layout (oci-layout has no imageLayoutVersion)");
        }
        JsonNode index = json(layout.resolve("index.json"), "index.json");
        List<JsonNode> candidates = new ArrayList<>();
        index.path("manifests").forEach(candidates::add);
        if (refName.isPresent()) {
            candidates = candidates.stream().filter(m -> m.path("annotations").path(REF_NAME).asText("").equals(refName.get())).toList();
        }
        if (candidates.size() != 1) {
            List<String> names = new ArrayList<>();
            index.path("manifests").forEach(m -> names.add(m.path("annotations").path(REF_NAME).asText("(unnamed)")));
            throw new InputException(layout + ": " + (candidates.isEmpty() ? "no image" : candidates.size() + " images")
                    + refName.map(r -> " named " + r).orElse("") + " in index.json (found: " + names + "); export the one image to"
                    + " describe into its own layout (skopeo copy ... oci-archive:image.tar)");
        }
        JsonNode descriptor = candidates.get(0);
        Optional<String> name = Optional.ofNullable(descriptor.path("annotations").path(REF_NAME).textValue());
        Digest digest = digest(descriptor);
        JsonNode manifest = blobJson(layout, digest);
        String mediaType = descriptor.path("mediaType").asText(manifest.path("mediaType").asText(""));
        if (mediaType.equals(MediaTypes.OCI_INDEX) || mediaType.equals(MediaTypes.DOCKER_MANIFEST_LIST)) {
            List<JsonNode> images = new ArrayList<>();
            manifest.path("manifests").forEach(images::add);
            List<JsonNode> amd64 = images.stream().filter(m -> m.path("platform").path("os").asText().equals("linux")
                    && m.path("platform").path("architecture").asText().equals("amd64")).toList();
            JsonNode chosen = amd64.size() == 1 ? amd64.get(0) : images.size() == 1 ? images.get(0) : null;
            if (chosen == null) {
                throw new InputException(layout + ": the image index " + digest + " has " + images.size()
                        + " images and not exactly one for linux/amd64; export a single-platform image (skopeo copy --override-os"
                        + " linux --override-arch amd64 ...)");
            }
            digest = digest(chosen);
            manifest = blobJson(layout, digest);
        }
        JsonNode layers = manifest.path("layers");
        if (!layers.isArray()) {
            throw new InputException(layout + ": manifest " + digest + " has no layers (not an image manifest)");
        }
        int i = 0;
        Map<String, Integer> owner = new TreeMap<>();
        for (JsonNode layer : layers) {
            i++;
            if (entries > limits.maxEntries() || budget.used() > limits.maxTotalBytes()) {
                warnings.add("layer " + i + " and above not read: limits reached");
                break;
            }
            layer(layout, layer, i, fs, owner);
        }
        Catalog found = Catalogers.catalogDirectory(fs, limits);
        List<String> all = new ArrayList<>(warnings);
        all.addAll(found.warnings());
        return new Image(digest, name, new Catalog(found.packages(), found.roots(), all));
    }

    private void layer(Path layout, JsonNode descriptor, int index, Path fs, Map<String, Integer> owner) {
        String mediaType = descriptor.path("mediaType").asText("");
        Digest digest;
        try {
            digest = digest(descriptor);
        } catch (InputException e) {
            warnings.add("layer " + index + ": " + e.getMessage() + "; not read");
            return;
        }
        String label = "layer " + index + " (" + digest.shortForm() + ")";
        if (mediaType.contains("zstd")) {
            warnings.add(label + ": zstd-compressed layers are not supported; not read");
            return;
        }
        Path blob = blobPath(layout, digest);
        if (!Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS)) {
            warnings.add(label + ": blob missing from the layout" + (descriptor.has("urls") ? " (a foreign layer)" : "") + "; not read");
            return;
        }
        MessageDigest sha = JvmCataloger.md(digest.algorithm().equals("sha512") ? "SHA-512" : "SHA-256");
        try (InputStream raw = Files.newInputStream(blob)) {
            CountingInputStream compressed = new CountingInputStream(new DigestInputStream(raw, sha));
            BufferedInputStream buffered = new BufferedInputStream(compressed);
            buffered.mark(2);
            boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
            buffered.reset();
            InputStream tar = gzip ? new GZIPInputStream(buffered, 64 * 1024) : buffered;
            LimitedInputStream counted = new LimitedInputStream(tar, label, "the image unpacks", compressed::count, limits, budget);
            extractLayer(label, counted, fs, index, owner);
            counted.transferTo(OutputStream.nullOutputStream()); // the rest, so a truncated gzip stream shows
            compressed.transferTo(OutputStream.nullOutputStream());
            if (!HexFormat.of().formatHex(sha.digest()).equals(digest.hex())) {
                warnings.add(label + ": the blob does not match its digest; its content is not trustworthy");
            }
        } catch (LimitedInputStream.LimitExceeded e) {
            warnings.add(e.getMessage());
        } catch (EOFException e) {
            warnings.add(label + ": truncated (" + e.getMessage() + "); cataloged what was read");
        } catch (IOException e) {
            warnings.add(label + ": truncated or corrupt (" + e.getMessage() + "); cataloged what was read");
        }
    }

    private void extractLayer(String label, InputStream in, Path fs, int layerIndex, Map<String, Integer> owner) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
            if (++entries > limits.maxEntries()) {
                throw new LimitedInputStream.LimitExceeded(label + ": more than " + limits.maxEntries() + " entries in all layers; the rest was not read");
            }
            Optional<String> safe = safeName(label, e.getName());
            if (safe.isEmpty()) {
                continue;
            }
            String path = safe.get();
            String base = path.substring(path.lastIndexOf('/') + 1);
            String dir = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
            if (base.equals(".wh..wh..opq")) {
                removeBelow(fs, owner, dir, layerIndex, false);
                continue;
            }
            if (base.startsWith(".wh.")) {
                removeBelow(fs, owner, (dir.isEmpty() ? "" : dir + "/") + base.substring(4), layerIndex, true);
                continue;
            }
            if (e.isDirectory()) {
                if (owner.getOrDefault(path, layerIndex) < layerIndex) {
                    removeBelow(fs, owner, path, layerIndex, true); // a directory replaces a lower layer's file
                }
                continue;
            }
            // anything else at this path replaces what lower layers had there (a file, or a directory's content)
            removeBelow(fs, owner, path, layerIndex, true);
            if (e.isSymbolicLink()) {
                String target = e.getLinkName();
                if (!target.startsWith("/") && escapes(dir, target)) {
                    warnings.add(label + ": symbolic link " + path + " -> " + target + " points outside the image root; not followed");
                }
                continue;
            }
            if (e.isLink()) {
                Optional<String> target = safeName(label, e.getLinkName());
                if (!Catalogers.supports(path)) {
                    continue;
                }
                if (target.isPresent() && owner.containsKey(target.get())) {
                    Path to = fs.resolve(path);
                    Files.createDirectories(to.getParent());
                    Files.copy(fs.resolve(target.get()), to, StandardCopyOption.REPLACE_EXISTING);
                    owner.put(path, layerIndex);
                } else {
                    warnings.add(label + ": hard link " + path + " -> " + e.getLinkName() + ": the target is not in the image"
                            + " (or not a file a cataloger reads); not cataloged");
                }
                continue;
            }
            if (!e.isFile()) {
                continue;
            }
            if (e.getSize() > limits.maxTotalBytes() - budget.used()) {
                throw new LimitedInputStream.LimitExceeded(label + ": " + path + " is " + e.getSize() + " bytes, beyond the limit of "
                        + limits.maxTotalBytes() + " bytes in all; the rest was not read");
            }
            if (Catalogers.supports(path) || path.equals("etc/os-release") || path.equals("usr/lib/os-release")
                    || path.endsWith(".dist-info/RECORD") || path.equals("go.sum") || path.endsWith("/go.sum")) {
                Path to = fs.resolve(path);
                try {
                    Files.createDirectories(to.getParent());
                    Files.copy(tar, to, StandardCopyOption.REPLACE_EXISTING);
                    owner.put(path, layerIndex);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException | NoSuchFileException clash) {
                    warnings.add(label + ": " + path + " clashes with another entry of the same layer; not extracted");
                }
            }
        }
    }

    /** Extracts the regular files of a layout tar into {@code dir}, with the same checks as layers. */
    private void extract(String path, InputStream in, Path dir) {
        CountingInputStream compressed = new CountingInputStream(in);
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(new LimitedInputStream(compressed, path, "the image unpacks", compressed::count, limits, budget));
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (++entries > limits.maxEntries()) {
                    warnings.add(path + ": more than " + limits.maxEntries() + " entries; the rest was not read");
                    break;
                }
                Optional<String> safe = safeName(path, e.getName());
                if (safe.isEmpty() || !e.isFile() || !LAYOUT_FILE.matcher(safe.get()).matches()) {
                    continue; // only what a layout consists of is extracted: a tar that is not one costs no disk
                }
                if (e.getSize() > limits.maxTotalBytes() - budget.used()) {
                    warnings.add(path + ": " + safe.get() + " is " + e.getSize() + " bytes, beyond the limit; the rest was not read");
                    break;
                }
                Path to = dir.resolve(safe.get());
                Files.createDirectories(to.getParent());
                Files.copy(tar, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (LimitedInputStream.LimitExceeded e) {
            warnings.add(e.getMessage());
        } catch (IOException e) {
            warnings.add(path + ": truncated or corrupt (" + e.getMessage() + "); read what could be read");
        }
    }

    /** The entry name relative to the root, or empty (with a warning) when it traverses upwards or has a NUL. */
    private Optional<String> safeName(String label, String raw) {
        if (raw.indexOf('\0') >= 0) {
            // no file can be named so; C code reading the name would stop at the NUL and see another path
            warnings.add(label + ": entry name " + JvmCataloger.printable(raw) + " contains a NUL character; ignored");
            return Optional.empty();
        }
        String name = raw.replace('\\', '/');
        if (name.startsWith("/")) {
            warnings.add(label + ": absolute entry name " + raw + "; read relative to the image root");
            name = name.replaceFirst("^/+", "");
        }
        List<String> parts = new ArrayList<>();
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                warnings.add(label + ": entry name " + raw + " escapes the root (path traversal); ignored");
                return Optional.empty();
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                parts.add(segment);
            }
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("/", parts));
    }

    /** Whether a relative link target, seen from {@code dir}, climbs above the root. */
    private static boolean escapes(String dir, String target) {
        int depth = dir.isEmpty() ? 0 : dir.split("/").length;
        for (String segment : target.split("/")) {
            if (segment.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                depth++;
            }
        }
        return false;
    }

    /** Removes what lower layers put at {@code path} ({@code self}) and below it. */
    private static void removeBelow(Path fs, Map<String, Integer> owner, String path, int layerIndex, boolean self) throws IOException {
        List<String> gone = new ArrayList<>();
        String prefix = path.isEmpty() ? "" : path + "/";
        for (Map.Entry<String, Integer> e : owner.entrySet()) {
            boolean hit = (self && e.getKey().equals(path)) || e.getKey().startsWith(prefix);
            if (hit && e.getValue() < layerIndex) {
                gone.add(e.getKey());
            }
        }
        for (String g : gone) {
            Files.deleteIfExists(fs.resolve(g));
            owner.remove(g);
        }
    }

    private JsonNode json(Path file, String what) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new InputException(file.getParent() + " is not an OCI image layout (no " + what + ")");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(MAX_JSON + 1);
            if (b.length > MAX_JSON) {
                throw new InputException(file + " is larger than " + MAX_JSON + " bytes");
            }
            return Json.mapper().readTree(b);
        } catch (IOException e) {
            throw new InputException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private JsonNode blobJson(Path layout, Digest digest) {
        Path blob = blobPath(layout, digest);
        if (!Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS)) {
            throw new InputException(layout + ": blob " + digest + " is missing");
        }
        try (InputStream in = Files.newInputStream(blob)) {
            byte[] b = in.readNBytes(MAX_JSON + 1);
            if (b.length > MAX_JSON) {
                throw new InputException(layout + ": manifest " + digest + " is larger than " + MAX_JSON + " bytes");
            }
            String actual = HexFormat.of().formatHex(JvmCataloger.md(digest.algorithm().equals("sha512") ? "SHA-512" : "SHA-256").digest(b));
            if (!actual.equals(digest.hex())) {
                throw new InputException(layout + ": blob " + digest + " does not match its digest");
            }
            return Json.mapper().readTree(b);
        } catch (IOException e) {
            throw new InputException(layout + ": blob " + digest + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Digest digest(JsonNode descriptor) {
        try {
            return Digest.parse(descriptor.path("digest").asText(""));
        } catch (IllegalArgumentException e) {
            throw new InputException("a descriptor has an invalid digest: " + e.getMessage(), e);
        }
    }

    private static Path blobPath(Path layout, Digest digest) {
        return layout.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex()); // both validated by Digest
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temporary directory
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }



}
