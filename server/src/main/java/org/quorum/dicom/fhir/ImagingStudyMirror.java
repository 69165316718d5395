package org.quorum.dicom.fhir;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.model.DaoMethodOutcome;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.quorum.dicom.store.index.DicomIndex;
import org.quorum.dicom.store.index.InstanceEntity;
import org.quorum.dicom.store.index.SeriesEntity;
import org.quorum.dicom.store.index.StudyEntity;

/**
 * Keeps one FHIR ImagingStudy per stored DICOM study (as Azure's DICOMcast does): rebuilt from the
 * DICOM index whenever instances of the study arrive, and written with a conditional update on its
 * identifier so it is created once and updated afterwards, never duplicated. {@link
 * ImagingStudyMirrorQueue} decides when a study is rebuilt.
 *
 * <p>The subject is a Patient found by identifier {@value #PATIENT_ID_SYSTEM} | PatientID, created
 * (identifier and sex only: no name is copied from the images) when there is none. A study without
 * PatientID gets a Patient identified by the study.
 *
 * @see <a href="https://hl7.org/fhir/R4/imagingstudy.html">FHIR R4 ImagingStudy</a>
 */
public final class ImagingStudyMirror {

    /** ImagingStudy.identifier system for the Study Instance UID (FHIR R4 ImagingStudy notes). */
    public static final String UID_SYSTEM = "urn:dicom:uid";

    /** Patient.identifier system for DICOM Patient IDs. */
    public static final String PATIENT_ID_SYSTEM = "urn:quorum:dicom:patient-id";

    private static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
    private static final String URI_SYSTEM = "urn:ietf:rfc:3986";

    private final DaoRegistry daos;
    private final DicomIndex index;

    public ImagingStudyMirror(DaoRegistry daos, DicomIndex index) {
        this.daos = daos;
        this.index = index;
    }

    /** The conditional URL that finds the ImagingStudy of a Study Instance UID. */
    public static String searchUrl(String studyInstanceUid) {
        return "ImagingStudy?identifier=" + UID_SYSTEM + "|urn:oid:" + studyInstanceUid;
    }

    /**
     * Rebuilds the ImagingStudy of a study from the index (in the caller's transaction when there
     * is one).
     *
     * @return the ImagingStudy's id; empty when the study is not in the index
     */
    public Optional<String> rebuild(String studyInstanceUid) {
        Optional<StudyEntity> found = index.study(studyInstanceUid);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        StudyEntity study = found.get();
        List<SeriesEntity> series = index.seriesOf(studyInstanceUid);
        Map<String, List<InstanceEntity>> instances =
                index.instancesOf(studyInstanceUid, Optional.empty()).stream()
                        .collect(Collectors.groupingBy(InstanceEntity::seriesInstanceUid));

        ImagingStudy resource = new ImagingStudy();
        resource.addIdentifier().setSystem(UID_SYSTEM).setValue("urn:oid:" + studyInstanceUid);
        resource.setStatus(ImagingStudy.ImagingStudyStatus.AVAILABLE);
        resource.setSubject(new Reference(patient(study)));
        started(study).ifPresent(resource::setStartedElement);
        if (study.studyDescription() != null) {
            resource.setDescription(study.studyDescription());
        }
        if (study.accessionNumber() != null) {
            resource.addIdentifier()
                    .setValue(study.accessionNumber())
                    .getType()
                    .addCoding()
                    .setSystem("http://terminology.hl7.org/CodeSystem/v2-0203")
                    .setCode("ACSN");
        }
        int total = 0;
        for (SeriesEntity s : series) {
            List<InstanceEntity> members = instances.getOrDefault(s.seriesInstanceUid(), List.of());
            ImagingStudy.ImagingStudySeriesComponent component = resource.addSeries();
            component.setUid(s.seriesInstanceUid());
            component.setModality(
                    new Coding(DCM, s.modality() == null ? "OT" : s.modality(), null));
            number(s.seriesNumber()).ifPresent(component::setNumber);
            if (s.seriesDescription() != null) {
                component.setDescription(s.seriesDescription());
            }
            component.setNumberOfInstances(members.size());
            for (InstanceEntity i : members) {
                ImagingStudy.ImagingStudySeriesInstanceComponent instance = component.addInstance();
                instance.setUid(i.sopInstanceUid());
                instance.setSopClass(new Coding(URI_SYSTEM, "urn:oid:" + i.sopClassUid(), null));
                number(i.instanceNumber()).ifPresent(instance::setNumber);
            }
            total += members.size();
            if (resource.getModality().stream()
                    .noneMatch(c -> c.getCode().equals(component.getModality().getCode()))) {
                resource.addModality(component.getModality().copy());
            }
        }
        resource.setNumberOfSeries(series.size());
        resource.setNumberOfInstances(total);

        DaoMethodOutcome outcome =
                dao(ImagingStudy.class)
                        .update(resource, searchUrl(studyInstanceUid), new SystemRequestDetails());
        return Optional.of(outcome.getId().getIdPart());
    }

    private String patient(StudyEntity study) {
        String value =
                study.patientId() != null ? study.patientId() : "study:" + study.studyInstanceUid();
        Patient patient = new Patient();
        patient.addIdentifier().setSystem(PATIENT_ID_SYSTEM).setValue(value);
        if (study.patientSex() != null) {
            patient.setGender(
                    switch (study.patientSex()) {
                        case "M" -> AdministrativeGender.MALE;
                        case "F" -> AdministrativeGender.FEMALE;
                        case "O" -> AdministrativeGender.OTHER;
                        default -> AdministrativeGender.UNKNOWN;
                    });
        }
        DaoMethodOutcome outcome =
                dao(Patient.class)
                        .create(
                                patient,
                                "Patient?identifier=" + PATIENT_ID_SYSTEM + "|" + escape(value),
                                new SystemRequestDetails());
        return "Patient/" + outcome.getId().getIdPart();
    }

    /** Escapes the search-value special characters of FHIR R4 §3.1.1.5.7 (, $ | \). */
    private static String escape(String value) {
        return value.replace("\\", "\\\\")
                .replace(",", "\\,")
                .replace("$", "\\$")
                .replace("|", "\\|");
    }

    private static Optional<DateTimeType> started(StudyEntity study) {
        String date = study.studyDate();
        if (date == null || !date.matches("\\d{8}")) {
            return Optional.empty();
        }
        String text = date.substring(0, 4) + "-" + date.substring(4, 6) + "-" + date.substring(6);
        // Date precision only: DICOM times carry no zone unless TimezoneOffsetFromUTC is set, and
        // a FHIR dateTime with a time needs one.
        try {
            return Optional.of(new DateTimeType(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<Integer> number(String value) {
        if (value == null || !value.trim().matches("[+-]?\\d{1,9}")) {
            return Optional.empty();
        }
        int number = Integer.parseInt(value.trim().replace("+", ""));
        return number < 0 ? Optional.empty() : Optional.of(number);
    }

    @SuppressWarnings("unchecked")
    private <T extends org.hl7.fhir.instance.model.api.IBaseResource> IFhirResourceDao<T> dao(
            Class<T> type) {
        return (IFhirResourceDao<T>) daos.getResourceDao(type);
    }
}
