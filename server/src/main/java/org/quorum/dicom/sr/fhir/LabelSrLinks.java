package org.quorum.dicom.sr.fhir;

import java.util.Optional;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.quorum.dicom.sr.DicomSrService.SrResult;

/**
 * How a label points at its SR, so that FHIR clients find it: an identifier {@code urn:dicom:uid} /
 * {@code urn:oid:<SR SOP Instance UID>} (the DICOM identifier convention of FHIR R4
 * ImagingStudy.identifier) and, when the study is mirrored, a {@code derivedFrom} reference to its
 * ImagingStudy (which lists the SR's series).
 */
final class LabelSrLinks {

    static final String DICOM_UID_SYSTEM = "urn:dicom:uid";

    private LabelSrLinks() {}

    /** The identifier value naming a DICOM UID. */
    static String urnOid(String uid) {
        return "urn:oid:" + uid;
    }

    /**
     * Adds the SR's identifier and the ImagingStudy reference when they are missing.
     *
     * @param imagingStudy {@code ImagingStudy/<id>} of the SR's study, if one exists
     * @return whether the label changed (and must be saved)
     */
    static boolean link(Observation label, SrResult sr, Optional<String> imagingStudy) {
        boolean changed = false;
        String value = urnOid(sr.sopInstanceUid());
        boolean hasIdentifier =
                label.getIdentifier().stream()
                        .anyMatch(
                                i ->
                                        DICOM_UID_SYSTEM.equals(i.getSystem())
                                                && value.equals(i.getValue()));
        if (!hasIdentifier) {
            label.addIdentifier(
                    new Identifier()
                            .setUse(Identifier.IdentifierUse.SECONDARY)
                            .setSystem(DICOM_UID_SYSTEM)
                            .setValue(value));
            changed = true;
        }
        if (imagingStudy.isPresent()) {
            String study = imagingStudy.get();
            boolean hasStudy =
                    label.getDerivedFrom().stream()
                            .map(Reference::getReference)
                            .anyMatch(
                                    r -> r != null && (r.equals(study) || r.endsWith("/" + study)));
            if (!hasStudy) {
                label.addDerivedFrom(new Reference(study));
                changed = true;
            }
        }
        return changed;
    }

    /** The SR's WADO-RS instance URL under the server's DICOMweb root. */
    static String wadoRsUrl(String dicomWebBase, SrResult sr) {
        String base =
                dicomWebBase.endsWith("/")
                        ? dicomWebBase.substring(0, dicomWebBase.length() - 1)
                        : dicomWebBase;
        return base
                + "/studies/"
                + sr.studyInstanceUid()
                + "/series/"
                + sr.seriesInstanceUid()
                + "/instances/"
                + sr.sopInstanceUid();
    }

    /** {@code <server>/dicomweb} from the FHIR base {@code <server>/fhir}. */
    static String dicomWebBase(String fhirServerBase) {
        String base =
                fhirServerBase.endsWith("/")
                        ? fhirServerBase.substring(0, fhirServerBase.length() - 1)
                        : fhirServerBase;
        if (base.endsWith("/fhir")) {
            base = base.substring(0, base.length() - "/fhir".length());
        }
        return base + "/dicomweb";
    }
}
