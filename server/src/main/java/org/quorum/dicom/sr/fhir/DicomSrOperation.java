package org.quorum.dicom.sr.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UrlType;
import org.quorum.dicom.sr.DicomSrService.SrResult;
import org.quorum.dicom.sr.SrException;

/**
 * {@code POST /fhir/Observation/{id}/$dicom-sr}: the label's TID 1500 Structured Report, made and
 * stored if it is not yet. Returns Parameters {@code studyInstanceUid}, {@code seriesInstanceUid},
 * {@code sopInstanceUid} (bare UIDs, as DICOMweb paths take them), {@code wadoRsUrl} (the SR's
 * WADO-RS instance URL) and {@code created} (false when the same label version already had its SR).
 *
 * @see <a href="../../../../../../../../docs/dicom-sr.md">docs/dicom-sr.md</a>
 */
public final class DicomSrOperation {

    private final LabelSrPublisher publisher;

    public DicomSrOperation(LabelSrPublisher publisher) {
        this.publisher = publisher;
    }

    @Operation(name = "$dicom-sr", type = Observation.class, idempotent = false)
    public Parameters dicomSr(@IdParam IIdType label, RequestDetails request) {
        LabelSrPublisher.Published published;
        try {
            published = publisher.publish(label, request);
        } catch (SrException e) {
            throw SrErrors.toFhir(e);
        }
        SrResult sr = published.sr();
        Parameters out = new Parameters();
        out.addParameter().setName("studyInstanceUid").setValue(oid(sr.studyInstanceUid()));
        out.addParameter().setName("seriesInstanceUid").setValue(oid(sr.seriesInstanceUid()));
        out.addParameter().setName("sopInstanceUid").setValue(oid(sr.sopInstanceUid()));
        out.addParameter()
                .setName("wadoRsUrl")
                .setValue(
                        new UrlType(
                                LabelSrLinks.wadoRsUrl(
                                        LabelSrLinks.dicomWebBase(request.getFhirServerBase()),
                                        sr)));
        out.addParameter().setName("created").setValue(new BooleanType(!sr.alreadyStored()));
        return out;
    }

    private static StringType oid(String uid) {
        return new StringType(uid);
    }
}
