package org.quorum.bridge.writeback;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.quorum.bridge.pacs.DimseSource;

/**
 * SRs written to a PACS by C-STORE (PS3.4 B.2.3) as the bridge's AE title, on the DIMSE route's
 * bounded pool, time limiter and circuit breaker; the original study read by a STUDY-level C-FIND
 * and the SR confirmed by an IMAGE-level C-FIND (Study, Series and SOP Instance UID: the unique
 * keys a hierarchical SCP needs, PS3.4 C.4.1.3.1).
 */
final class DimseSrTarget implements SrTarget {

    private final DimseSource pacs;
    private final Path outgoing;

    /**
     * @param outgoing where the SR waits as a file during its C-STORE (PixelMed's SCU sends files)
     */
    DimseSrTarget(DimseSource pacs, Path outgoing) {
        this.pacs = pacs;
        try {
            this.outgoing = Files.createDirectories(outgoing);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return pacs.name();
    }

    @Override
    public Optional<OriginalStudy> study(String studyUid) {
        AttributeList query = new AttributeList();
        put(query, new CodeStringAttribute(TagFromName.QueryRetrieveLevel), "STUDY");
        put(query, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), studyUid);
        put(query, new PersonNameAttribute(TagFromName.PatientName), null);
        put(query, new LongStringAttribute(TagFromName.PatientID), null);
        put(query, new DateAttribute(TagFromName.PatientBirthDate), null);
        put(query, new CodeStringAttribute(TagFromName.PatientSex), null);
        put(query, new DateAttribute(TagFromName.StudyDate), null);
        put(query, new TimeAttribute(TagFromName.StudyTime), null);
        put(query, new ShortStringAttribute(TagFromName.AccessionNumber), null);
        put(query, new ShortStringAttribute(TagFromName.StudyID), null);
        put(query, new PersonNameAttribute(TagFromName.ReferringPhysicianName), null);
        List<AttributeList> found = pacs.query("original study C-FIND", query);
        for (AttributeList study : found) {
            if (studyUid.equals(text(study, TagFromName.StudyInstanceUID))) {
                return Optional.of(
                        new OriginalStudy(
                                text(study, TagFromName.PatientName),
                                text(study, TagFromName.PatientID),
                                text(study, TagFromName.PatientBirthDate),
                                text(study, TagFromName.PatientSex),
                                text(study, TagFromName.StudyDate),
                                text(study, TagFromName.StudyTime),
                                text(study, TagFromName.AccessionNumber),
                                text(study, TagFromName.StudyID),
                                text(study, TagFromName.ReferringPhysicianName)));
            }
        }
        return Optional.empty();
    }

    @Override
    public void store(String sopInstanceUid, byte[] part10)
            throws PacsSrWriteBackService.CannotWriteBack {
        Path file = outgoing.resolve(sopInstanceUid + ".dcm");
        try {
            Files.write(file, part10);
            pacs.store("C-STORE of an SR to the PACS", file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // the next write of the same SR replaces it
            }
        }
    }

    @Override
    public boolean lists(String studyUid, String seriesUid, String sopInstanceUid) {
        AttributeList query = new AttributeList();
        put(query, new CodeStringAttribute(TagFromName.QueryRetrieveLevel), "IMAGE");
        put(query, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), studyUid);
        put(query, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), seriesUid);
        put(query, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), sopInstanceUid);
        return pacs.query("SR confirmation C-FIND", query).stream()
                .anyMatch(image -> sopInstanceUid.equals(text(image, TagFromName.SOPInstanceUID)));
    }

    private static void put(AttributeList list, Attribute attribute, String value) {
        try {
            if (value != null) {
                attribute.addValue(value);
            }
        } catch (DicomException e) {
            throw new IllegalArgumentException("cannot set " + attribute.getTag(), e);
        }
        list.put(attribute);
    }

    private static String text(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }
}
