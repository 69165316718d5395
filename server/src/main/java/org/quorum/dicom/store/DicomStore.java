package org.quorum.dicom.store;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.quorum.dicom.store.index.DicomIndex;
import org.quorum.dicom.store.index.InstanceEntity;
import org.quorum.dicom.store.index.SeriesEntity;
import org.quorum.dicom.store.index.StudyEntity;
import org.quorum.storage.DatabaseFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * The DICOM store: Part 10 files under {@code <root>/<study>/<series>/<sop>.<n>.dcm}, kept exactly
 * as received, plus the {@link DicomIndex} in the server's database. A file is received into a
 * temporary name as it arrives ({@link Upload}, hashed on the way), moved into place under a name
 * no other store attempt uses, then indexed in one transaction; if indexing fails the file is
 * removed, so a failure leaves nothing half-stored. Storing the same SOP instance again with the
 * same bytes is a no-op; with other bytes it is refused ({@link DicomConflictException}).
 *
 * <p><b>Several nodes.</b> The root may be a directory shared by several Quorum nodes on one
 * database. The database's primary key on the SOP Instance UID decides which of two concurrent
 * stores of an instance wins; the loser removes only its own file (each attempt writes its own
 * name) and answers as for a repeated store. No JVM lock is needed for correctness.
 */
public final class DicomStore implements DicomInstances {

    private static final Logger LOG = LoggerFactory.getLogger(DicomStore.class);
    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");

    /** Index attempts when a concurrent store created the same new study or series row. */
    private static final int INDEX_ATTEMPTS = 3;

    /** Mirror attempts when another node updated the same study's mirror at the same time. */
    private static final int OBSERVER_ATTEMPTS = 3;

    private final Path root;
    private final Path incoming;
    private final DicomIndex index;
    private final StudyObserver observer;

    public DicomStore(Path root, DicomIndex index, StudyObserver observer) {
        this.root = root;
        this.incoming = root.resolve(".incoming");
        this.index = index;
        this.observer = observer;
        try {
            Files.createDirectories(incoming);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create the DICOM store directory " + root, e);
        }
    }

    /** Whether {@code value} is a well-formed UID (PS3.5 §9.1): digits and dots, 64 at most. */
    public static boolean isUid(String value) {
        return value != null && value.length() <= 64 && UID.matcher(value).matches();
    }

    @Override
    public StoredInstance store(AttributeList dataset) throws DicomStoreException {
        byte[] part10 = toPart10(dataset);
        StoredInstance stored;
        try (Upload upload = upload()) {
            upload.write(part10, 0, part10.length);
            upload.finish();
            stored = storeOne(upload, Optional.empty());
        } catch (IOException e) {
            throw new DicomStoreException("The instance could not be written to disk", e);
        }
        if (!stored.alreadyStored()) {
            // In-process stores (SRs of labels) link the study's ImagingStudy right after.
            notifyObserver(stored.studyInstanceUid(), true);
        }
        return stored;
    }

    /**
     * A Part 10 file being received into the store's incoming directory: written and hashed as its
     * bytes arrive, so that a request body is never held in memory. Closing an upload that was not
     * stored removes its file.
     */
    public final class Upload implements AutoCloseable {
        private final Path path;
        private final OutputStream out;
        private final MessageDigest digest;
        private long size;
        private String sha256;
        private boolean moved;

        private Upload(Path path) throws IOException {
            this.path = path;
            this.out = new BufferedOutputStream(Files.newOutputStream(path), 64 * 1024);
            this.digest = sha256Digest();
        }

        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            digest.update(bytes, offset, length);
            size += length;
        }

        /** Ends the file: written to the incoming directory, its hash known. */
        public void finish() throws IOException {
            out.close();
            sha256 = HexFormat.of().formatHex(digest.digest());
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                // Removed below either way.
            }
            if (!moved) {
                deleteQuietly(path);
            }
        }
    }

    /** Starts receiving a Part 10 file (see {@link Upload}). */
    public Upload upload() throws IOException {
        return new Upload(incoming.resolve(UUID.randomUUID() + ".part"));
    }

    /**
     * Stores several received Part 10 files (one STOW-RS request): each succeeds or fails alone;
     * the observer hears once per study that got a new instance. The uploads must be finished; the
     * caller still closes them (which removes what was not stored).
     *
     * @param study when set, every dataset must belong to this study (STOW to {@code
     *     /studies/{study}})
     */
    public List<StoreOutcome> storeAll(List<Upload> uploads, Optional<String> study) {
        return storeAll(uploads, study, outcomes -> {});
    }

    /**
     * Like {@link #storeAll(List, Optional)}; when the last upload is a new instance, {@code
     * withLast} writes in its index transaction (the request's audit record: one commit for both,
     * and neither without the other).
     */
    public List<StoreOutcome> storeAll(
            List<Upload> uploads, Optional<String> study, WithLastInstance withLast) {
        List<StoreOutcome> outcomes = new ArrayList<>();
        Set<String> changed = new LinkedHashSet<>();
        for (int i = 0; i < uploads.size(); i++) {
            Consumer<StoredInstance> inTransaction = stored -> {};
            if (i == uploads.size() - 1) {
                inTransaction =
                        stored -> {
                            List<StoreOutcome> all = new ArrayList<>(outcomes);
                            all.add(new StoreOutcome.Stored(stored));
                            withLast.write(all);
                        };
            }
            outcomes.add(storeForOutcome(uploads.get(i), study, changed, inTransaction));
        }
        changed.forEach(studyUid -> notifyObserver(studyUid, false));
        return outcomes;
    }

    /** Writes with the index transaction of a request's last instance, when it is a new one. */
    @FunctionalInterface
    public interface WithLastInstance {
        /**
         * Runs inside that transaction; a runtime exception rolls the instance back too.
         *
         * @param outcomes of every upload of the request, the last one stored
         */
        void write(List<StoreOutcome> outcomes);
    }

    private StoreOutcome storeForOutcome(
            Upload file,
            Optional<String> study,
            Set<String> changed,
            Consumer<StoredInstance> inTransaction) {
        Parsed parsed;
        try {
            parsed = parse(file);
        } catch (DicomStoreException e) {
            return new StoreOutcome.Failed(
                    Optional.empty(),
                    Optional.empty(),
                    StoreOutcome.CANNOT_UNDERSTAND,
                    e.getMessage());
        }
        if (study.isPresent() && !study.get().equals(parsed.studyUid())) {
            return new StoreOutcome.Failed(
                    Optional.of(parsed.sopClassUid()),
                    Optional.of(parsed.sopInstanceUid()),
                    StoreOutcome.STUDY_MISMATCH,
                    "The instance belongs to another study than the one in the URL");
        }
        try {
            StoredInstance stored = storeParsed(file, parsed, inTransaction);
            if (!stored.alreadyStored()) {
                changed.add(stored.studyInstanceUid());
            }
            return new StoreOutcome.Stored(stored);
        } catch (DicomConflictException e) {
            return failed(parsed, StoreOutcome.DUPLICATE_SOP_INSTANCE, e.getMessage());
        } catch (DicomStoreException e) {
            return failed(parsed, StoreOutcome.OUT_OF_RESOURCES, e.getMessage());
        }
    }

    private static StoreOutcome failed(Parsed parsed, int reason, String message) {
        return new StoreOutcome.Failed(
                Optional.of(parsed.sopClassUid()),
                Optional.of(parsed.sopInstanceUid()),
                reason,
                message);
    }

    private void notifyObserver(String studyUid, boolean now) {
        for (int attempt = 1; ; attempt++) {
            try {
                if (now) {
                    observer.studyChangedNow(studyUid);
                } else {
                    observer.studyChanged(studyUid);
                }
                return;
            } catch (RuntimeException e) {
                if (attempt < OBSERVER_ATTEMPTS) {
                    // Typically another node mirrored the same study at the same moment: the
                    // next attempt reads the index again, with both nodes' instances.
                    continue;
                }
                // The instances are stored and the study stays marked stale in the index: the
                // mirror queue rebuilds it later.
                LOG.warn(
                        "Study observer failed for a stored study: {}",
                        e.getClass().getSimpleName());
                LOG.debug("Study observer failure", e);
                return;
            }
        }
    }

    /** Stores one received Part 10 file (without telling the observer). */
    StoredInstance storeOne(Upload part10, Optional<String> study) throws DicomStoreException {
        Parsed parsed = parse(part10);
        if (study.isPresent() && !study.get().equals(parsed.studyUid())) {
            throw new DicomStoreException("The instance belongs to another study");
        }
        return storeParsed(part10, parsed, stored -> {});
    }

    private record Parsed(
            AttributeList dataset,
            String studyUid,
            String seriesUid,
            String sopInstanceUid,
            String sopClassUid,
            String transferSyntaxUid) {}

    private static Parsed parse(Upload part10) throws DicomStoreException {
        // PS3.10 §7.1: 128-byte preamble, then "DICM", then the File Meta Information.
        AttributeList dataset = new AttributeList();
        try (BufferedInputStream in =
                new BufferedInputStream(Files.newInputStream(part10.path), 64 * 1024)) {
            in.mark(132);
            byte[] prefix = in.readNBytes(132);
            if (prefix.length < 132
                    || prefix[128] != 'D'
                    || prefix[129] != 'I'
                    || prefix[130] != 'C'
                    || prefix[131] != 'M') {
                throw new DicomStoreException(
                        "Not a DICOM Part 10 file (no DICM prefix after the 128-byte preamble)");
            }
            in.reset();
            // Up to the pixel data only: the header is what the index needs, the pixels stay on
            // disk.
            dataset.read(new DicomInputStream(in), TagFromName.PixelData);
        } catch (DicomStoreException e) {
            throw e;
        } catch (IOException | DicomException | RuntimeException e) {
            // Untrusted input: PixelMed reports truncated or garbled data with runtime exceptions
            // too. The cause stays out of the message (it may quote the data).
            throw new DicomStoreException(
                    "The DICOM file cannot be read: it is truncated or malformed");
        }
        String study = uid(dataset, TagFromName.StudyInstanceUID, "StudyInstanceUID");
        String series = uid(dataset, TagFromName.SeriesInstanceUID, "SeriesInstanceUID");
        String sop = uid(dataset, TagFromName.SOPInstanceUID, "SOPInstanceUID");
        String sopClass = uid(dataset, TagFromName.SOPClassUID, "SOPClassUID");
        String syntax = uid(dataset, TagFromName.TransferSyntaxUID, "TransferSyntaxUID");
        String metaSop =
                Attribute.getSingleStringValueOrNull(
                        dataset, TagFromName.MediaStorageSOPInstanceUID);
        if (metaSop != null && !metaSop.trim().equals(sop)) {
            throw new DicomStoreException(
                    "MediaStorageSOPInstanceUID in the meta header differs from SOPInstanceUID");
        }
        return new Parsed(dataset, study, series, sop, sopClass, syntax);
    }

    private static String uid(
            AttributeList dataset, com.pixelmed.dicom.AttributeTag tag, String name)
            throws DicomStoreException {
        String value = Attribute.getSingleStringValueOrNull(dataset, tag);
        value = value == null ? null : value.trim();
        if (value == null || value.isEmpty()) {
            throw new DicomStoreException("The dataset has no " + name);
        }
        if (!isUid(value)) {
            throw new DicomStoreException(name + " is not a valid UID");
        }
        return value;
    }

    /**
     * Moves the file into place and indexes it; the lookup of an instance stored before is part of
     * the index transaction (one commit per new instance), so a repeated instance is moved in and
     * removed again.
     */
    private StoredInstance storeParsed(
            Upload part10, Parsed parsed, Consumer<StoredInstance> inTransaction)
            throws DicomStoreException {
        String sha256 = part10.sha256;
        // A name of this attempt's own: a concurrent store of the same instance (this node or
        // another on the shared directory) never replaces or removes this file.
        String relative =
                parsed.studyUid()
                        + "/"
                        + parsed.seriesUid()
                        + "/"
                        + parsed.sopInstanceUid()
                        + "."
                        + UUID.randomUUID().toString().substring(0, 8)
                        + ".dcm";
        Path target = root.resolve(relative);
        move(part10, target);
        DicomIndex.FileFacts facts =
                new DicomIndex.FileFacts(parsed.transferSyntaxUid(), relative, part10.size, sha256);
        StoredInstance stored =
                new StoredInstance(
                        parsed.studyUid(),
                        parsed.seriesUid(),
                        parsed.sopInstanceUid(),
                        parsed.sopClassUid(),
                        false);
        for (int attempt = 1; ; attempt++) {
            try {
                Optional<InstanceEntity> existing =
                        index.add(parsed.dataset(), facts, () -> inTransaction.accept(stored));
                if (existing.isPresent()) {
                    deleteQuietly(target);
                    return sameOrConflict(existing.get(), sha256);
                }
                return stored;
            } catch (DataIntegrityViolationException e) {
                // The database key decides: the instance, or its new study or series row, was
                // indexed meanwhile by a concurrent store.
                Optional<InstanceEntity> winner = index.instance(parsed.sopInstanceUid());
                if (winner.isPresent()) {
                    deleteQuietly(target);
                    return sameOrConflict(winner.get(), sha256);
                }
                if (attempt >= INDEX_ATTEMPTS) {
                    deleteQuietly(target);
                    throw new DicomStoreException("The instance could not be indexed", e);
                }
            } catch (RuntimeException e) {
                deleteQuietly(target);
                if (DatabaseFailures.isUnavailable(e)) {
                    // The whole request fails as unavailable (503), not this instance alone.
                    throw e;
                }
                throw new DicomStoreException("The instance could not be indexed", e);
            }
        }
    }

    private static StoredInstance sameOrConflict(InstanceEntity existing, String sha256)
            throws DicomConflictException {
        if (!existing.sha256().equals(sha256)) {
            throw new DicomConflictException(
                    "SOP Instance "
                            + existing.sopInstanceUid()
                            + " is already stored with different content");
        }
        return new StoredInstance(
                existing.studyInstanceUid(),
                existing.seriesInstanceUid(),
                existing.sopInstanceUid(),
                existing.sopClassUid(),
                true);
    }

    /** Moves a received file into place (the upload no longer removes it when closed). */
    private void move(Upload part10, Path target) throws DicomStoreException {
        try {
            Files.createDirectories(target.getParent());
            try {
                Files.move(
                        part10.path,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part10.path, target, StandardCopyOption.REPLACE_EXISTING);
            }
            part10.moved = true;
        } catch (IOException e) {
            throw new DicomStoreException("The instance could not be written to disk", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Could not remove {}", file.getFileName());
        }
    }

    @Override
    public Optional<AttributeList> read(String sopInstanceUid) throws DicomStoreException {
        Optional<Path> file = file(sopInstanceUid);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        AttributeList dataset = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(Files.newInputStream(file.get()))) {
            dataset.read(in);
        } catch (IOException | DicomException e) {
            throw new DicomStoreException("A stored DICOM file cannot be read", e);
        }
        return Optional.of(dataset);
    }

    @Override
    public Optional<StoredInstance> find(String sopInstanceUid) {
        return index.instance(sopInstanceUid)
                .map(
                        i ->
                                new StoredInstance(
                                        i.studyInstanceUid(),
                                        i.seriesInstanceUid(),
                                        i.sopInstanceUid(),
                                        i.sopClassUid(),
                                        true));
    }

    /** The stored Part 10 file of an instance, byte for byte as received. */
    public Optional<Path> file(String sopInstanceUid) {
        return index.instance(sopInstanceUid).map(i -> root.resolve(i.path()));
    }

    /** Opens the stored Part 10 bytes of an instance. */
    public InputStream open(InstanceEntity instance) throws IOException {
        return Files.newInputStream(root.resolve(instance.path()));
    }

    /** The instances of a study, or of one of its series; empty when none is stored. */
    public List<InstanceEntity> instances(String studyUid, Optional<String> seriesUid) {
        return index.instancesOf(studyUid, seriesUid);
    }

    public Optional<StudyEntity> study(String studyUid) {
        return index.study(studyUid);
    }

    public List<SeriesEntity> series(String studyUid) {
        return index.seriesOf(studyUid);
    }

    /** The studies that the given FHIR ImagingStudy ids mirror. */
    public Set<String> studiesMirroredBy(Set<String> imagingStudyIds) {
        return index.studiesMirroredBy(imagingStudyIds);
    }

    /** Runs a QIDO-RS search. */
    public List<AttributeList> search(DicomQuery query) {
        return index.search(query);
    }

    private static byte[] toPart10(AttributeList dataset) throws DicomStoreException {
        try {
            String syntax =
                    Attribute.getSingleStringValueOrNull(dataset, TagFromName.TransferSyntaxUID);
            if (syntax == null) {
                syntax = TransferSyntax.ExplicitVRLittleEndian;
                FileMetaInformation.addFileMetaInformation(dataset, syntax, "QUORUM");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            dataset.write(out, syntax.trim(), true, true);
            return out.toByteArray();
        } catch (IOException | DicomException e) {
            throw new DicomStoreException("The dataset cannot be written as a DICOM file", e);
        }
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
