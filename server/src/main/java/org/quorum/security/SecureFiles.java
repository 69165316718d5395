package org.quorum.security;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Files under the data directory that the server and the CLI share: they are separate processes, so
 * every file is replaced whole by an atomic rename (a reader sees the old or the new content, never
 * half of it), read-modify-write cycles hold an exclusive lock on a sibling lock file, and readers
 * notice changes by a {@link Stamp} of the file.
 */
final class SecureFiles {

    /** The directory under the data directory that holds the security files. */
    static final String SECURITY_DIR = "security";

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
            PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
            PosixFilePermissions.fromString("rwx------");

    // FileChannel.lock is per process: threads of one JVM must also exclude each other.
    private static final Map<Path, ReentrantLock> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

    private SecureFiles() {}

    /** What identifies one version of a file: replaced files get a new inode (file key). */
    record Stamp(boolean exists, FileTime modified, long size, Object fileKey) {
        static final Stamp ABSENT = new Stamp(false, FileTime.fromMillis(0), -1, null);
    }

    @FunctionalInterface
    interface IoAction<T> {
        T run() throws IOException;
    }

    /** {@code dataDir/security}, created owner-only when missing. */
    static Path securityDir(Path dataDir) throws IOException {
        Path dir = dataDir.toAbsolutePath().normalize().resolve(SECURITY_DIR);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                if (isPosix(dir.getParent())) {
                    Files.createDirectory(
                            dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                } else {
                    Files.createDirectory(dir);
                }
            } catch (FileAlreadyExistsException raced) {
                // Created by the other process meanwhile.
                if (!Files.isDirectory(dir)) {
                    throw raced;
                }
            }
        }
        return dir;
    }

    static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    static Stamp stamp(Path file) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(
                    true, attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        } catch (NoSuchFileException e) {
            return Stamp.ABSENT;
        }
    }

    /** Replaces {@code target} with {@code content}, owner-only, atomically. */
    static void writeAtomically(Path target, byte[] content) throws IOException {
        Path temp = writeTemp(target, content);
        try {
            try {
                Files.move(
                        temp,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Creates {@code target} with {@code content} unless it exists. A hard link fails atomically
     * when the name is taken, so two processes starting at once cannot both create a signing key.
     *
     * @return false if the file already existed (its content is left alone)
     */
    static boolean createIfAbsent(Path target, byte[] content) throws IOException {
        Path temp = writeTemp(target, content);
        try {
            try {
                Files.createLink(target, temp);
            } catch (UnsupportedOperationException e) {
                Files.move(temp, target); // no hard links here: fails when the target exists
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Path writeTemp(Path target, byte[] content) throws IOException {
        Path dir = target.getParent();
        String prefix = "." + target.getFileName() + ".";
        Path temp =
                isPosix(dir)
                        ? Files.createTempFile(dir, prefix, ".tmp", ownerOnly())
                        : Files.createTempFile(dir, prefix, ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true); // on disk before the rename makes it visible
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
        return PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE);
    }

    /** Whether others than the owner may read or write the file (POSIX only; elsewhere false). */
    static boolean readableByOthers(Path file) throws IOException {
        if (!isPosix(file)) {
            return false;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        return permissions.stream()
                .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"));
    }

    /**
     * Runs {@code action} holding an exclusive lock on {@code lockFile}, across processes (the CLI
     * and the server) and across threads of this process.
     */
    @SuppressWarnings("try") // the lock is held for the try block; it needs no other use
    static <T> T withLock(Path lockFile, IoAction<T> action) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock local = IN_PROCESS_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        local.lock();
        try (FileChannel channel =
                        isPosix(key.getParent())
                                ? FileChannel.open(
                                        key,
                                        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                                        ownerOnly())
                                : FileChannel.open(
                                        key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = Objects.requireNonNull(channel.lock())) {
            return action.run();
        } finally {
            local.unlock();
        }
    }
}
