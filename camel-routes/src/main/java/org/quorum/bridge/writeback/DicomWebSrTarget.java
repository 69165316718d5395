package org.quorum.bridge.writeback;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import org.quorum.bridge.pacs.DicomWebPeer;

/** SRs written to a PACS by STOW-RS, its original study read and the SR confirmed by QIDO-RS. */
final class DicomWebSrTarget implements SrTarget {

    private final DicomWebPeer pacs;

    DicomWebSrTarget(DicomWebPeer pacs) {
        this.pacs = pacs;
    }

    @Override
    public String name() {
        return pacs.root().toString();
    }

    @Override
    public Optional<OriginalStudy> study(String studyUid) {
        JsonNode studies =
                pacs.search(
                        "original study search",
                        "/studies?StudyInstanceUID="
                                + studyUid
                                + "&includefield=00080020&includefield=00080030"
                                + "&includefield=00080050&includefield=00100010"
                                + "&includefield=00100020&includefield=00100030"
                                + "&includefield=00100040&includefield=00200010"
                                + "&includefield=00080090");
        if (studies.isEmpty()) {
            return Optional.empty();
        }
        JsonNode study = studies.get(0);
        return Optional.of(
                new OriginalStudy(
                        personName(study, "00100010"),
                        DicomWebPeer.text(study, "00100020"),
                        DicomWebPeer.text(study, "00100030"),
                        DicomWebPeer.text(study, "00100040"),
                        DicomWebPeer.text(study, "00080020"),
                        DicomWebPeer.text(study, "00080030"),
                        DicomWebPeer.text(study, "00080050"),
                        DicomWebPeer.text(study, "00200010"),
                        personName(study, "00080090")));
    }

    @Override
    public void store(String sopInstanceUid, byte[] part10)
            throws PacsSrWriteBackService.CannotWriteBack {
        DicomWebPeer.StowAnswer answer =
                pacs.store("STOW-RS of an SR to the PACS", List.of(part10));
        if (answer.status() != 200) {
            throw new PacsSrWriteBackService.CannotWriteBack(
                    "the PACS did not store the SR: STOW-RS answered " + answer.status());
        }
    }

    @Override
    public boolean lists(String studyUid, String seriesUid, String sopInstanceUid) {
        return !pacs.search(
                        "SR confirmation in the PACS",
                        "/studies/" + studyUid + "/instances?SOPInstanceUID=" + sopInstanceUid)
                .isEmpty();
    }

    private static String personName(JsonNode study, String tag) {
        JsonNode value = study.path(tag).path("Value");
        return value.isArray() && !value.isEmpty()
                ? value.get(0).path("Alphabetic").asText("")
                : "";
    }
}
