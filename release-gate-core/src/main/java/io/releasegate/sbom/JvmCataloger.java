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

    /**
     * Nested archives are read into memory and through their central directory while all those held at once (the
     * archives on the way down to the one being read) fit in this many bytes; the others are streamed. It bounds the
     * memory a catalog uses whatever the nesting: twice this at most, while one is being read in.
     */
    static final int IN_MEMORY_MAX = 16 << 20;

    private final Limits limits;
    private final List<SbomPackage> packages = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final LimitedInputStream.Budget budget = new LimitedInputStream.Budget();
    private long entries;
    /** The bytes of the nested archives held in memory now. */
    private long held;

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

    /** What one archive's own entries say about it. */
    private static final class Contents {
        final List<Properties> poms = new ArrayList<>();
        final List<String> licenses = new ArrayList<>();
        Optional<Manifest> manifest = Optional.empty();
        final Set<String> seen = new HashSet<>();
    }

    /** The body of one entry, opened only when it is needed. */
    private interface Body {
        InputStream open() throws IOException;

        /** The entry's inflated size when the archive states it, else -1. */
        long size();

        /** Passes over an entry that is not needed (a stream must still inflate it, under the limits). */
        void skip() throws IOException;
    }

    /** Streams an archive entry by entry (the top-level archive, or one too large to hold in memory). */
    private void archive(String path, InputStream raw, int depth, Optional<String> parent) {
        MessageDigest sha1 = md("SHA-1");
        MessageDigest sha256 = md("SHA-256");
        InputStream in = new DigestInputStream(new DigestInputStream(raw, sha1), sha256);
        Contents contents = new Contents();
        int index = reserve();
        try {
            CountingInputStream counted = new CountingInputStream(in);
            ZipInputStream zip = new ZipInputStream(counted);
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                long start = counted.count();
                long size = e.getSize();
                String entryName = e.getName();
                if (!entry(path, entryName, e.isDirectory(), new Body() {
                    @Override
                    public InputStream open() {
                        return new LimitedInputStream(zip, path + "!/" + entryName, "the archive inflates", () -> counted.count() - start, limits, budget);
                    }

                    @Override
                    public long size() {
                        return size;
                    }

                    @Override
                    public void skip() throws IOException {
                        open().transferTo(java.io.OutputStream.nullOutputStream());
                    }
                }, depth, contents)) {
                    break;
                }
            }
            in.transferTo(java.io.OutputStream.nullOutputStream()); // the rest, for the archive's own digests
        } catch (IOException e) {
            unreadable(path, e);
        } catch (IllegalArgumentException badName) {
            // the JDK's zip reader refuses an entry name that is not valid UTF-8 (a crafted archive) this way
            unreadable(path, new java.util.zip.ZipException("an entry name is not valid UTF-8 (" + badName.getMessage() + ")"));
        }
        finish(index, path, depth, parent, HexFormat.of().formatHex(sha1.digest()), HexFormat.of().formatHex(sha256.digest()), contents);
    }

    /**
     * A nested archive held in memory: read through its central directory, so only the entries that identify it
     * (Maven metadata, the manifest, archives nested further) are inflated, never its classes. An archive whose
     * directory cannot be read (truncated, ZIP64) is streamed instead, which reports what is wrong with it.
     */
    private void archive(String path, byte[] bytes, int depth, Optional<String> parent) {
        Optional<List<ZipDirectory.Entry>> directory = ZipDirectory.read(bytes);
        if (directory.isEmpty()) {
            archive(path, new ByteArrayInputStream(bytes), depth, parent);
            return;
        }
        Contents contents = new Contents();
        int index = reserve();
        try {
            for (ZipDirectory.Entry e : directory.get()) {
                if (!entry(path, e.name(), e.isDirectory(), new Body() {
                    @Override
                    public InputStream open() throws IOException {
                        long[] consumed = new long[1];
                        InputStream in = e.open(bytes, consumed);
                        return new LimitedInputStream(in, path + "!/" + e.name(), "the archive inflates", () -> consumed[0], limits, budget);
                    }

                    @Override
                    public long size() {
                        return e.size();
                    }

                    @Override
                    public void skip() {
                        // read through the directory: an entry that is not needed is never inflated
                    }
                }, depth, contents)) {
                    break;
                }
            }
        } catch (IOException e) {
            unreadable(path, e);
        }
        finish(index, path, depth, parent, HexFormat.of().formatHex(md("SHA-1").digest(bytes)),
                io.releasegate.digest.Digester.of(bytes).hex(), contents);
    }

    /** What could not be read of the archive at {@code path}, as a warning: the rest is still cataloged. */
    private void unreadable(String path, IOException e) {
        if (e instanceof LimitedInputStream.LimitExceeded) {
            warnings.add(e.getMessage());
        } else if (e instanceof ZipException || e instanceof java.io.EOFException) {
            warnings.add(path + ": truncated or corrupt archive (" + e.getMessage() + "); cataloged what could be read");
        } else {
            warnings.add(path + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** A slot for the archive's own package, so that parents come before their children. */
    private int reserve() {
        packages.add(null);
        return packages.size() - 1;
    }

    /** Handles one entry of the archive at {@code path}; false when no more entries may be read. */
    private boolean entry(String path, String name, boolean directory, Body body, int depth, Contents contents) throws IOException {
        if (++entries > limits.maxEntries()) {
            warnings.add(path + ": more than " + limits.maxEntries() + " entries in total; the rest was not cataloged");
            return false;
        }
        if (!contents.seen.add(name)) {
            warnings.add(path + ": duplicate entry " + name + " (only the first is used by most tools)");
            return true;
        }
        if (escapes(name)) {
            warnings.add(path + ": entry name " + printable(name) + " escapes the archive (zip-slip); ignored");
            return true;
        }
        if (directory) {
            return true;
        }
        if (isArchive(name)) {
            if (depth + 1 > limits.maxDepth()) {
                warnings.add(path + "!/" + name + ": nested deeper than " + limits.maxDepth() + " levels; not cataloged");
                return true;
            }
            if (packages.size() >= limits.maxPackages()) {
                if (!warnings.contains(limits.tooManyPackages())) {
                    warnings.add(limits.tooManyPackages());
                }
                body.skip();
                return true;
            }
            nested(path + "!/" + name, body, depth + 1, Optional.of(path));
        } else if (name.startsWith("META-INF/maven/") && name.endsWith("/pom.properties")) {
            Properties p = new Properties();
            p.load(new ByteArrayInputStream(body.open().readNBytes(64 * 1024)));
            contents.poms.add(p);
        } else if (name.startsWith("META-INF/maven/") && name.endsWith("/pom.xml")) {
            Matcher m = LICENSE_NAME.matcher(new String(body.open().readNBytes(1 << 20), java.nio.charset.StandardCharsets.UTF_8));
            while (m.find()) {
                contents.licenses.add(m.group(1).trim());
            }
        } else if (name.equals("META-INF/MANIFEST.MF")) {
            contents.manifest = Optional.of(new Manifest(new ByteArrayInputStream(body.open().readNBytes(1 << 20))));
        } else {
            body.skip();
        }
        return true;
    }

    /**
     * A nested archive: held in memory when it fits beside those held already (the usual case), streamed otherwise.
     * A size the archive states is only a hint: what is read beyond it is streamed too.
     */
    private void nested(String path, Body body, int depth, Optional<String> parent) throws IOException {
        InputStream in = body.open();
        long room = IN_MEMORY_MAX - held;
        if (body.size() > room || room <= 0) {
            archive(path, in, depth, parent);
            return;
        }
        byte[] head;
        if (body.size() >= 0) {
            head = new byte[(int) body.size()];
            int n = in.readNBytes(head, 0, head.length);
            int more = n < head.length ? -1 : in.read();
            if (n < head.length) {
                head = java.util.Arrays.copyOf(head, n); // shorter than stated: what there is
            } else if (more >= 0) { // longer than stated: stream it all
                byte[] withMore = java.util.Arrays.copyOf(head, head.length + 1);
                withMore[head.length] = (byte) more;
                head = null;
                InputStream all = new java.io.SequenceInputStream(new ByteArrayInputStream(withMore), in);
                archive(path, all, depth, parent);
                return;
            }
        } else {
            head = in.readNBytes((int) room + 1);
            if (head.length > room) { // its size was not stated and it does not fit: stream the rest
                InputStream all = new java.io.SequenceInputStream(new ByteArrayInputStream(head), in);
                head = null;
                archive(path, all, depth, parent);
                return;
            }
        }
        held += head.length;
        try {
            archive(path, head, depth, parent);
        } finally {
            held -= head.length;
        }
    }

    /** The archive's own package, from what its entries said. */
    private void finish(int index, String path, int depth, Optional<String> parent, String sha1, String sha256, Contents contents) {
        List<Properties> poms = contents.poms;
        List<String> licenses = contents.licenses;
        Optional<Manifest> manifest = contents.manifest;
        String ref = path; // unique within an artifact: the bom-ref
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
            manifest.map(m -> m.getMainAttributes().getValue("Bundle-License")).ifPresent(l -> licenses.add(Catalogers.head(l, ";").trim()));
        }
        String type = depth == 0 && fileName.matches("(?i).*\\.(war|ear|hpi|jpi)$") ? "application" : "library";
        packages.set(index, new SbomPackage(ref, type, "maven", name, group, version, purl, path,
                java.util.Map.of("SHA-1", sha1, "SHA-256", sha256),
                licenses, parent, List.of()));
        if (poms.size() > 1) {
            // a shaded or uber jar: every embedded Maven artifact is a package of its own
            for (Properties p : poms) {
                if (packages.size() >= limits.maxPackages()) {
                    if (!warnings.contains(limits.tooManyPackages())) {
                        warnings.add(limits.tooManyPackages());
                    }
                    break;
                }
                String a = p.getProperty("artifactId", "unknown");
                String g = p.getProperty("groupId", "unknown");
                String v = p.getProperty("version", "");
                packages.add(new SbomPackage(ref + "#" + g + ":" + a, "library", "maven", a, Optional.of(g),
                        v.isEmpty() ? Optional.empty() : Optional.of(v), Optional.of("pkg:maven/" + g + "/" + a + (v.isEmpty() ? "" : "@" + v)),
                        path + "!/META-INF/maven/" + g + "/" + a, java.util.Map.of(), List.of(), Optional.of(ref), List.of()));
            }
        }
    }

    /**
     * Whether an entry name would leave the directory an archive is unpacked into, on any system that unpacks it: a
     * {@code ..} segment (with either separator), an absolute path, a drive letter ({@code C:}) or a UNC path, or a NUL
     * (which ends the name early for C code, so that what is unpacked is not what was checked).
     */
    static boolean escapes(String name) {
        String n = name.replace('\\', '/');
        if (n.indexOf('\0') >= 0 || n.startsWith("/") || (n.length() >= 2 && n.charAt(1) == ':' && Character.isLetter(n.charAt(0)))) {
            return true;
        }
        for (String segment : n.split("/", -1)) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** A name as a warning shows it: control characters (a NUL) as {@code \\uXXXX}. */
    static String printable(String name) {
        StringBuilder b = new StringBuilder(name.length());
        name.chars().forEach(c -> b.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.toString();
    }

    /** A message digest the JDK always has (SHA-1, SHA-256, SHA-512). */
    static MessageDigest md(String alg) {
        try {
            return MessageDigest.getInstance(alg);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }



}
