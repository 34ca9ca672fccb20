package io.releasegate.sbom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Catalogs JVM archives (jar, war, ear, hpi, Spring Boot fat jars) streamed, nested jars at any depth
 * up to a limit: each archive becomes a package identified from its {@code META-INF/maven/**}
 * {@code pom.properties} (a Maven purl; several in a shaded jar), its manifest, or its file name, with
 * the SHA-1 and SHA-256 of its bytes and the licenses its embedded {@code pom.xml} declares. Hostile
 * input (absurd nesting, zip bombs by size or ratio, duplicate or traversing entry names, truncation)
 * is recorded as a warning and never crashes the catalog or exhausts memory.
 */
public final class JvmCataloger {

    private static final Pattern ARCHIVE = Pattern.compile(".*\\.(jar|war|ear|hpi|jpi)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern FILE_VERSION = Pattern.compile("^(.+?)-(\\d[\\w.+-]*)\\.(?:jar|war|ear|hpi|jpi)$");
    private static final Pattern LICENSE_NAME = Pattern.compile("<license>\\s*<name>([^<]+)</name>", Pattern.DOTALL);

    private final Limits limits;
    private final List<SbomPackage> packages = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private long totalBytes;
    private long entries;

    private JvmCataloger(Limits limits) {
        this.limits = limits;
    }

    public static boolean isArchive(String name) {
        return ARCHIVE.matcher(name).matches();
    }

    /**
     * Catalogs one archive read from {@code in} (not closed), named {@code path}: the archive itself is the
     * catalog's root, every nested jar a package whose parent is the archive that contains it.
     */
    public static Catalog catalog(String path, InputStream in, Limits limits) {
        JvmCataloger c = new JvmCataloger(limits);
        c.archive(path, in, 0, Optional.empty());
        return new Catalog(c.packages, List.of(path), c.warnings);
    }

    private void archive(String path, InputStream raw, int depth, Optional<String> parent) {
        MessageDigest sha1 = md("SHA-1");
        MessageDigest sha256 = md("SHA-256");
        InputStream in = new DigestInputStream(new DigestInputStream(raw, sha1), sha256);
        List<Properties> poms = new ArrayList<>();
        List<String> licenses = new ArrayList<>();
        Optional<Manifest> manifest = Optional.empty();
        List<String[]> nestedRefs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String ref = path; // unique within an artifact: the bom-ref
        int index = packages.size();
        packages.add(null); // placeholder keeps parents before children
        try {
            Counting counted = new Counting(in);
            ZipInputStream zip = new ZipInputStream(counted);
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (++entries > limits.maxEntries()) {
                    warnings.add(path + ": more than " + limits.maxEntries() + " entries in total; the rest was not cataloged");
                    break;
                }
                String name = e.getName();
                if (!seen.add(name)) {
                    warnings.add(path + ": duplicate entry " + name + " (only the first is used by most tools)");
                    continue;
                }
                if (name.startsWith("/") || name.contains("../") || name.contains("..\\")) {
                    warnings.add(path + ": entry name " + name + " escapes the archive (zip-slip); ignored");
                    continue;
                }
                if (e.isDirectory()) {
                    continue;
                }
                InputStream entry = new Bounded(zip, path + "!/" + name, counted, counted.count);
                if (isArchive(name)) {
                    if (depth + 1 > limits.maxDepth()) {
                        warnings.add(path + "!/" + name + ": nested deeper than " + limits.maxDepth() + " levels; not cataloged");
                        continue;
                    }
                    archive(path + "!/" + name, entry, depth + 1, Optional.of(ref));
                } else if (name.startsWith("META-INF/maven/") && name.endsWith("/pom.properties")) {
                    Properties p = new Properties();
                    p.load(new ByteArrayInputStream(entry.readNBytes(64 * 1024)));
                    poms.add(p);
                } else if (name.startsWith("META-INF/maven/") && name.endsWith("/pom.xml")) {
                    Matcher m = LICENSE_NAME.matcher(new String(entry.readNBytes(1 << 20), java.nio.charset.StandardCharsets.UTF_8));
                    while (m.find()) {
                        licenses.add(m.group(1).trim());
                    }
                } else if (name.equals("META-INF/MANIFEST.MF")) {
                    manifest = Optional.of(new Manifest(new ByteArrayInputStream(entry.readNBytes(1 << 20))));
                } else {
                    entry.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
            in.transferTo(java.io.OutputStream.nullOutputStream()); // the rest, for the archive's own digests
        } catch (Bomb b) {
            warnings.add(b.getMessage());
        } catch (ZipException | java.io.EOFException e) {
            warnings.add(path + ": truncated or corrupt archive (" + e.getMessage() + "); cataloged what could be read");
        } catch (IOException e) {
            warnings.add(path + ": cannot be read (" + e.getMessage() + ")");
        }
        String fileName = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('!')) + 1);
        Properties own = poms.size() == 1 ? poms.get(0) : null;
        String name;
        Optional<String> group = Optional.empty();
        Optional<String> version = Optional.empty();
        Optional<String> purl = Optional.empty();
        if (own != null && own.getProperty("artifactId") != null) {
            name = own.getProperty("artifactId");
            group = Optional.ofNullable(own.getProperty("groupId"));
            version = Optional.ofNullable(own.getProperty("version"));
            purl = Optional.of("pkg:maven/" + group.orElse("unknown") + "/" + name + version.map(v -> "@" + v).orElse("")
                    + (fileName.toLowerCase(Locale.ROOT).endsWith(".war") ? "?type=war" : ""));
        } else {
            Matcher fv = FILE_VERSION.matcher(fileName);
            Optional<Attributes> attrs = manifest.map(Manifest::getMainAttributes);
            // a file named artifactId-version.jar (as Maven names what it packages) says more than a manifest
            // title, which is often prose ("Micrometer Observation"); the manifest is the fallback
            if (fv.matches()) {
                name = fv.group(1);
                version = Optional.of(fv.group(2));
            } else {
                name = attrs.map(a -> a.getValue("Implementation-Title")).orElse(fileName);
                version = attrs.map(a -> a.getValue("Implementation-Version"));
            }
        }
        if (licenses.isEmpty()) {
            manifest.map(m -> m.getMainAttributes().getValue("Bundle-License")).ifPresent(l -> licenses.add(l.split(";")[0].trim()));
        }
        String type = depth == 0 && fileName.matches("(?i).*\\.(war|ear|hpi|jpi)$") ? "application" : "library";
        packages.set(index, new SbomPackage(ref, type, "maven", name, group, version, purl, path,
                java.util.Map.of("SHA-1", HexFormat.of().formatHex(sha1.digest()), "SHA-256", HexFormat.of().formatHex(sha256.digest())),
                licenses, parent, List.of()));
        if (poms.size() > 1) {
            // a shaded or uber jar: every embedded Maven artifact is a package of its own
            for (Properties p : poms) {
                String a = p.getProperty("artifactId", "unknown");
                String g = p.getProperty("groupId", "unknown");
                String v = p.getProperty("version", "");
                packages.add(new SbomPackage(ref + "#" + g + ":" + a, "library", "maven", a, Optional.of(g),
                        v.isEmpty() ? Optional.empty() : Optional.of(v), Optional.of("pkg:maven/" + g + "/" + a + (v.isEmpty() ? "" : "@" + v)),
                        path + "!/META-INF/maven/" + g + "/" + a, java.util.Map.of(), List.of(), Optional.of(ref), List.of()));
            }
        }
    }

    private static MessageDigest md(String alg) {
        try {
            return MessageDigest.getInstance(alg);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Thrown when an entry inflates beyond the limits. */
    private static final class Bomb extends IOException {
        Bomb(String message) {
            super(message);
        }
    }

    /** Counts the compressed bytes read from the archive. */
    private static final class Counting extends java.io.FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** Counts inflated bytes of one entry against the total and ratio limits. */
    private final class Bounded extends java.io.FilterInputStream {
        private final String name;
        private final Counting compressedSource;
        private final long compressedStart;
        private long read;

        Bounded(InputStream in, String name, Counting compressedSource, long compressedStart) {
            super(in);
            this.name = name;
            this.compressedSource = compressedSource;
            this.compressedStart = compressedStart;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                read += n;
                totalBytes += n;
                if (totalBytes > limits.maxTotalBytes()) {
                    throw new Bomb(name + ": the archive inflates beyond " + limits.maxTotalBytes() + " bytes (zip bomb?); cataloging stopped");
                }
                long compressed = Math.max(1, compressedSource.count - compressedStart);
                if (read > limits.ratioThresholdBytes() && read / compressed > limits.maxRatio()) {
                    throw new Bomb(name + ": compression ratio above " + limits.maxRatio() + ":1 (zip bomb?); cataloging stopped");
                }
            }
            return n;
        }

        @Override
        public void close() {
            // the zip stream is closed by its owner
        }
    }
}
