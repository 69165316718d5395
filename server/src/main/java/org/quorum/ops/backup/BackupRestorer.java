package org.quorum.ops.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks a backup archive and restores it into an empty data directory: every entry's size and
 * SHA-256 against the manifest, no entry outside it; then the restored database is opened and its
 * counts and every DICOM file's checksum compared with what the manifest and the index say. A
 * mismatch stops the restore with a message naming it.
 */
public final class BackupRestorer {

    /** What a restore put where, and what it counted. */
    public record Restored(BackupManifest manifest, DatabaseCounts counts) {}

    /** What the restored database holds. */
    public record DatabaseCounts(Map<String, Long> fhirResources, long dicomInstances) {}

    private BackupRestorer() {}

    /** Reads the manifest and checks every entry against it, without extracting anything. */
    public static BackupManifest verify(Path archive) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            BackupManifest manifest = manifest(zip);
            for (BackupManifest.Entry entry : manifest.entries()) {
                try (InputStream in = open(zip, entry.name())) {
                    check(entry, in, OutputStream.nullOutputStream());
                }
            }
            return manifest;
        }
    }

    /**
     * Restores {@code archive} into {@code dataDir} (which must hold no database, DICOM or security
     * files yet) and {@code dicomDir}.
     */
    public static Restored restore(Path archive, Path dataDir, Path dicomDir)
            throws IOException, SQLException {
        for (Path taken : Set.of(dataDir.resolve("db"), dataDir.resolve("security"))) {
            if (Files.exists(taken)) {
                throw new IOException(
                        taken
                                + " exists: restore into an empty data directory (nothing is overwritten)");
            }
        }
        if (Files.isDirectory(dicomDir)) {
            try (var files = Files.list(dicomDir)) {
                if (files.anyMatch(f -> !f.getFileName().toString().equals(".incoming"))) {
                    throw new IOException(
                            dicomDir + " holds files: restore into an empty DICOM directory");
                }
            }
        }
        Path work = Files.createTempDirectory("quorum-restore-");
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            BackupManifest manifest = manifest(zip);
            Set<String> listed =
                    manifest.entries().stream()
                            .map(BackupManifest.Entry::name)
                            .collect(Collectors.toSet());
            for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
                if (!entry.getName().equals(BackupManifest.NAME)
                        && !listed.contains(entry.getName())) {
                    throw new IOException(
                            "the archive holds "
                                    + entry.getName()
                                    + ", which its manifest does not list");
                }
            }
            Path security = dataDir.resolve("security");
            Files.createDirectories(dataDir);
            Files.createDirectory(
                    security,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
            for (BackupManifest.Entry entry : manifest.entries()) {
                Path target;
                if (entry.name().equals(BackupWriter.DATABASE_ENTRY)) {
                    target = work.resolve("h2-backup.zip");
                } else if (entry.name().startsWith(BackupWriter.DICOM_PREFIX)) {
                    target =
                            inside(
                                    dicomDir,
                                    entry.name().substring(BackupWriter.DICOM_PREFIX.length()));
                } else if (entry.name().startsWith(BackupWriter.SECURITY_PREFIX)) {
                    target =
                            inside(
                                    security,
                                    entry.name().substring(BackupWriter.SECURITY_PREFIX.length()));
                } else {
                    throw new IOException("unknown archive entry " + entry.name());
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = open(zip, entry.name());
                        OutputStream out = Files.newOutputStream(target)) {
                    check(entry, in, out);
                }
                if (target.startsWith(security)) {
                    Files.setPosixFilePermissions(
                            target, PosixFilePermissions.fromString("rw-------"));
                }
            }
            Path database =
                    BackupWriter.unzip(work.resolve("h2-backup.zip"), dataDir.resolve("db"));
            DatabaseSnapshot restored = DatabaseSnapshot.read(database);
            if (!restored.fhirResources().equals(manifest.fhirResources())
                    || restored.dicomFiles().size() != manifest.dicomInstances()) {
                throw new IOException(
                        "the restored database does not hold what the manifest counts: "
                                + restored.fhirResources()
                                + " / "
                                + restored.dicomFiles().size()
                                + " DICOM instances");
            }
            for (DatabaseSnapshot.DicomFile file : restored.dicomFiles()) {
                Path stored = dicomDir.resolve(file.path());
                MessageDigest sha = BackupWriter.sha256();
                try (InputStream in = new DigestInputStream(Files.newInputStream(stored), sha)) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                if (!HexFormat.of().formatHex(sha.digest()).equals(file.sha256())) {
                    throw new IOException(
                            "the restored DICOM file " + file.path() + " does not match its index");
                }
            }
            return new Restored(
                    manifest,
                    new DatabaseCounts(
                            new HashMap<>(restored.fhirResources()), restored.dicomFiles().size()));
        } finally {
            BackupWriter.deleteTree(work);
        }
    }

    private static BackupManifest manifest(ZipFile zip) throws IOException {
        ZipEntry entry = zip.getEntry(BackupManifest.NAME);
        if (entry == null) {
            throw new IOException(
                    "not a Quorum backup: no " + BackupManifest.NAME + " (incomplete archive?)");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return BackupManifest.parse(in.readAllBytes());
        }
    }

    private static InputStream open(ZipFile zip, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new IOException("the archive lacks " + name + ", which its manifest lists");
        }
        return zip.getInputStream(entry);
    }

    private static void check(BackupManifest.Entry entry, InputStream in, OutputStream out)
            throws IOException {
        MessageDigest sha = BackupWriter.sha256();
        long size;
        try (InputStream digesting = new DigestInputStream(in, sha)) {
            size = digesting.transferTo(out);
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (size != entry.size() || !actual.equals(entry.sha256())) {
            throw new IOException(
                    "the archive entry "
                            + entry.name()
                            + " does not match its manifest (damaged archive)");
        }
    }

    private static Path inside(Path root, String relative) throws IOException {
        Path target = root.resolve(relative).normalize();
        if (!target.startsWith(root.normalize())) {
            throw new IOException(
                    "the archive names a path outside the data directory: " + relative);
        }
        return target;
    }
}
