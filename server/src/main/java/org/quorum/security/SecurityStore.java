package org.quorum.security;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the security state lives: the users and clients registries, the signing keys, the issuer
 * record and local secrets, each a named {@link SecureDocument}. One implementation per kind of
 * installation, chosen by the storage settings ({@link SecurityStores#open}):
 *
 * <ul>
 *   <li>{@link FileSecurityStore}: owner-only files under {@code <data dir>/security}, for the
 *       embedded H2 database of a single node; the CLI writes them while the server runs;
 *   <li>{@link DatabaseSecurityStore}: rows of {@code QRM_SECURITY_DOCUMENT} in PostgreSQL, shared
 *       by every node and by the CLI; secret documents encrypted with the installation's secrets
 *       key.
 * </ul>
 */
public interface SecurityStore extends AutoCloseable {

    /** Whether a document holds secrets (private keys) or only public data and password hashes. */
    enum Sensitivity {
        /** Public keys, registries (password hashes), the issuer record. */
        ORDINARY,
        /** Private signing keys and local random secrets: owner-only files, encrypted rows. */
        SECRET
    }

    /** The document called {@code name} (a file name such as {@code users.json}). */
    SecureDocument document(String name, Sensitivity sensitivity);

    /** Says where the documents are, for messages (a directory, or "the database"). */
    String location();

    @Override
    void close();

    /** The files under {@code <dataDir>/security} (the embedded, single-node installation). */
    static SecurityStore files(Path dataDir) {
        return new FileSecurityStore(dataDir);
    }

    /**
     * One security document: read whole, replaced whole, read-modify-written under a lock that
     * holds across processes and nodes.
     */
    interface SecureDocument {

        /** One version of the document's content and the stamp that identifies it. */
        record Version(byte[] content, Object stamp) {}

        /** What identifies the current version; cheap (a {@code stat}, an indexed read). */
        Object stamp() throws IOException;

        /** The content, or empty when the document does not exist. */
        Optional<Version> read() throws IOException;

        /**
         * Creates the document unless it exists (another process or node may have won the race).
         *
         * @return whether this call created it
         */
        boolean createIfAbsent(byte[] content) throws IOException;

        /** Replaces the content. */
        void write(byte[] content) throws IOException;

        /**
         * Applies {@code change} to the latest content (empty when absent) holding the document's
         * lock, writes its result and returns the new version.
         */
        Version update(Change change) throws IOException;

        /** Names the document in messages (a path, or the row's name). */
        String describe();

        /** A read-modify-write step. */
        @FunctionalInterface
        interface Change {
            byte[] apply(Optional<byte[]> current) throws IOException;
        }
    }
}
