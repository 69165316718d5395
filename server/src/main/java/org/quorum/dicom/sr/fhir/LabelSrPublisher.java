package org.quorum.dicom.sr.fhir;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Observation;
import org.quorum.dicom.sr.DicomSrService;
import org.quorum.dicom.sr.DicomSrService.SrResult;

/**
 * The FHIR side of "a label gets its SR", shared by {@link DicomSrOperation} and {@link
 * FinalLabelSrInterceptor}: reads the label, calls {@link DicomSrService#createSr}, and links the
 * label to the SR ({@link LabelSrLinks}), saving it only when a link was missing, so that
 * publishing twice changes nothing.
 */
public final class LabelSrPublisher {

    private final DicomSrService service;
    private final IFhirResourceDao<Observation> labels;
    private final IFhirResourceDao<ImagingStudy> studies;

    public LabelSrPublisher(DicomSrService service, DaoRegistry daos) {
        this.service = service;
        this.labels = daos.getResourceDao(Observation.class);
        this.studies = daos.getResourceDao(ImagingStudy.class);
    }

    /** The SR and whether the label was changed to point at it. */
    public record Published(SrResult sr, boolean labelUpdated) {}

    /**
     * @param readAs the request the label is read as (the caller's, so that its access rules
     *     apply); the link is saved as the system
     */
    public Published publish(IIdType labelId, RequestDetails readAs) {
        Observation label = labels.read(labelId.toUnqualifiedVersionless(), readAs);
        SrResult sr = service.createSr(label);
        boolean changed = LabelSrLinks.link(label, sr, imagingStudy(sr.studyInstanceUid()));
        if (changed) {
            labels.update(label, new SystemRequestDetails());
        }
        return new Published(sr, changed);
    }

    /** {@code ImagingStudy/<id>} of the study's mirror (identifier urn:dicom:uid), if any. */
    private Optional<String> imagingStudy(String studyInstanceUid) {
        SearchParameterMap search =
                SearchParameterMap.newSynchronous(
                        ImagingStudy.SP_IDENTIFIER,
                        new TokenParam(
                                LabelSrLinks.DICOM_UID_SYSTEM,
                                LabelSrLinks.urnOid(studyInstanceUid)));
        IBundleProvider found = studies.search(search, new SystemRequestDetails());
        return found.getResources(0, 1).stream()
                .findFirst()
                .map(r -> "ImagingStudy/" + r.getIdElement().getIdPart());
    }
}
