package org.quorum.ops.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.quorum.fhir.QuorumVersion;

/**
 * Writes a consistent backup of an embedded (H2) installation as one zip archive:
 *
 * <ol>
 *   <li>{@code database/h2-backup.zip}: H2's online {@code BACKUP TO}, a transactionally consistent
 *       copy of the database taken while the server keeps serving (MVCC);
 *   <li>{@code dicom/<path>}: every DICOM file the snapshot's index names. Stored files never
 *       change, and a file is written before its index row commits, so every file the snapshot
 *       names exists; files stored after the snapshot are left out, as their rows are. Each file is
 *       checked against the index's SHA-256 on the way;
 *   <li>{@code security/<file>}: users, clients, signing keys, local secrets;
 *   <li>{@code manifest.json}: the snapshot's counts and every entry's size and SHA-256.
 * </ol>
 */
public final class BackupWriter {

    static final String DATABASE_ENTRY = "database/h2-backup.zip";
    static final String DICOM_PREFIX = "dicom/";
    static final String SECURITY_PREFIX = "security/";

    private final Clock clock;

    public BackupWriter(Clock clock) {
        this.clock = clock;
    }

    /**
     * Backs up the installation whose database {@code h2} is connected to (the server's own
     * connection while it runs, or the CLI's when none runs).
     */
    public BackupManifest write(Connection h2, Path dataDir, Path dicomDir, OutputStream out)
            throws IOException, SQLException {
        Path work = Files.createTempDirectory("quorum-backup-");
        try {
            Path databaseCopy = work.resolve("h2-backup.zip");
            try (PreparedStatement backup = h2.prepareStatement("BACKUP TO ?")) {
                backup.setString(1, databaseCopy.toString());
                backup.execute();
            }
            DatabaseSnapshot snapshot =
                    DatabaseSnapshot.read(unzip(databaseCopy, work.resolve("snapshot")));
            List<BackupManifest.Entry> entries = new ArrayList<>();
            ZipOutputStream zip = new ZipOutputStream(out);
            add(zip, DATABASE_ENTRY, databaseCopy, null, entries);
            for (DatabaseSnapshot.DicomFile file : snapshot.dicomFiles()) {
                add(
                        zip,
                        DICOM_PREFIX + file.path(),
                        dicomDir.resolve(file.path()),
                        file.sha256(),
                        entries);
            }
            Path security = dataDir.resolve("security");
            if (Files.isDirectory(security)) {
                try (Stream<Path> files = Files.list(security)) {
                    for (Path file :
                            files.filter(Files::isRegularFile)
                                    .filter(f -> !f.getFileName().toString().startsWith("."))
                                    .sorted()
                                    .toList()) {
                        add(zip, SECURITY_PREFIX + file.getFileName(), file, null, entries);
                    }
                }
            }
            BackupManifest manifest =
                    new BackupManifest(
                            clock.instant(),
                            QuorumVersion.get(),
                            snapshot.fhirResources(),
                            snapshot.dicomFiles().size(),
                            entries);
            zip.putNextEntry(new ZipEntry(BackupManifest.NAME));
            zip.write(manifest.toJson());
            zip.closeEntry();
            zip.finish();
            out.flush();
            return manifest;
        } finally {
            deleteTree(work);
        }
    }

    private static void add(
            ZipOutputStream zip,
            String name,
            Path file,
            String expectedSha256,
            List<BackupManifest.Entry> entries)
            throws IOException {
        MessageDigest sha = sha256();
        long size;
        zip.putNextEntry(new ZipEntry(name));
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            size = in.transferTo(zip);
        }
        zip.closeEntry();
        String actual = HexFormat.of().formatHex(sha.digest());
        if (expectedSha256 != null && !expectedSha256.equals(actual)) {
            throw new IOException(
                    "the stored file "
                            + name
                            + " does not match the SHA-256 its index recorded; the store is"
                            + " damaged, the backup is not usable");
        }
        entries.add(new BackupManifest.Entry(name, size, actual));
    }

    /** Unzips H2's backup into {@code target}; returns the database's base path there. */
    static Path unzip(Path zip, Path target) throws IOException {
        Files.createDirectories(target);
        String base = null;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path file = target.resolve(entry.getName()).normalize();
                if (!file.startsWith(target)) {
                    throw new IOException("the database backup names a path outside its directory");
                }
                Files.createDirectories(file.getParent());
                Files.copy(in, file);
                String name = file.getFileName().toString();
                if (name.endsWith(".mv.db")) {
                    base =
                            file.toString()
                                    .substring(0, file.toString().length() - ".mv.db".length());
                }
            }
        }
        if (base == null) {
            throw new IOException("the database backup holds no H2 database file");
        }
        return Path.of(base);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    static void deleteTree(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory: left for the OS to clean.
        }
    }
}
