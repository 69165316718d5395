package org.quorum.testing;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.quorum.dicom.store.DicomInstances;
import org.quorum.dicom.store.DicomStoreException;

/**
 * A {@link DicomInstances} in memory, for unit tests of the capabilities that use the store (the
 * real store needs the server's database). Keeps the contract: one instance per SOP Instance UID,
 * {@code alreadyStored} on a repeat, a clear error for a dataset without its identifying UIDs.
 */
public final class InMemoryDicomInstances implements DicomInstances {

    private final Map<String, AttributeList> instances = new LinkedHashMap<>();
    private int storeCalls;

    /** Reads a Part 10 file and stores it. */
    public InMemoryDicomInstances load(Path file) {
        try {
            AttributeList list = new AttributeList();
            list.read(file.toFile());
            store(list);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (DicomException | DicomStoreException e) {
            throw new IllegalStateException("cannot load " + file, e);
        }
    }

    @Override
    public synchronized Optional<AttributeList> read(String sopInstanceUid) {
        return Optional.ofNullable(instances.get(sopInstanceUid)).map(InMemoryDicomInstances::copy);
    }

    @Override
    public synchronized Optional<StoredInstance> find(String sopInstanceUid) {
        return Optional.ofNullable(instances.get(sopInstanceUid)).map(l -> identity(l, true));
    }

    @Override
    public synchronized StoredInstance store(AttributeList dataset) throws DicomStoreException {
        storeCalls++;
        StoredInstance identity = identity(dataset, false);
        if (identity.studyInstanceUid().isEmpty()
                || identity.seriesInstanceUid().isEmpty()
                || identity.sopInstanceUid().isEmpty()
                || identity.sopClassUid().isEmpty()) {
            throw new DicomStoreException(
                    "the dataset lacks a Study, Series or SOP Instance UID or its SOP Class UID");
        }
        if (instances.containsKey(identity.sopInstanceUid())) {
            return identity(instances.get(identity.sopInstanceUid()), true);
        }
        instances.put(identity.sopInstanceUid(), copy(dataset));
        return identity;
    }

    /** How many instances are stored. */
    public synchronized int size() {
        return instances.size();
    }

    /** How many times {@link #store} was called. */
    public synchronized int storeCalls() {
        return storeCalls;
    }

    private static StoredInstance identity(AttributeList list, boolean alreadyStored) {
        return new StoredInstance(
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.StudyInstanceUID),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SeriesInstanceUID),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID),
                alreadyStored);
    }

    private static AttributeList copy(AttributeList list) {
        AttributeList copy = new AttributeList();
        copy.putAll(list);
        return copy;
    }
}
