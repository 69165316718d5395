package org.quorum.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The security documents as owner-only files under {@code <data dir>/security} (see {@link
 * SecureFiles}): replaced by atomic rename, read-modify-write under a lock file, changes noticed by
 * the file's stamp. Secret files readable by other users are refused.
 */
final class FileSecurityStore implements SecurityStore {

    private final Path dataDir;

    FileSecurityStore(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
    }

    @Override
    public SecureDocument document(String name, Sensitivity sensitivity) {
        return new FileDocument(
                dataDir.resolve(SecureFiles.SECURITY_DIR).resolve(name), sensitivity);
    }

    @Override
    public String location() {
        return dataDir.resolve(SecureFiles.SECURITY_DIR).toString();
    }

    @Override
    public void close() {}

    private final class FileDocument implements SecureDocument {
        private final Path file;
        private final Sensitivity sensitivity;

        FileDocument(Path file, Sensitivity sensitivity) {
            this.file = file;
            this.sensitivity = sensitivity;
        }

        @Override
        public Object stamp() throws IOException {
            return SecureFiles.stamp(file);
        }

        @Override
        public Optional<Version> read() throws IOException {
            SecureFiles.Stamp stamp = SecureFiles.stamp(file);
            if (!stamp.exists()) {
                return Optional.empty();
            }
            if (sensitivity == Sensitivity.SECRET && SecureFiles.readableByOthers(file)) {
                throw new IOException(
                        file
                                + " holds a secret and is accessible to other users; run: chmod 600 "
                                + file);
            }
            try {
                return Optional.of(new Version(Files.readAllBytes(file), stamp));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }

        @Override
        public boolean createIfAbsent(byte[] content) throws IOException {
            SecureFiles.securityDir(dataDir);
            if (Files.exists(file)) {
                return false;
            }
            return SecureFiles.createIfAbsent(file, content);
        }

        @Override
        public void write(byte[] content) throws IOException {
            SecureFiles.securityDir(dataDir);
            SecureFiles.writeAtomically(file, content);
        }

        @Override
        public Version update(Change change) throws IOException {
            SecureFiles.securityDir(dataDir);
            return SecureFiles.withLock(
                    file.resolveSibling("." + file.getFileName() + ".lock"),
                    () -> {
                        Optional<Version> current = read();
                        SecureFiles.writeAtomically(
                                file, change.apply(current.map(Version::content)));
                        return read().orElseThrow(() -> new NoSuchFileException(file.toString()));
                    });
        }

        @Override
        public String describe() {
            return file.toString();
        }
    }
}
