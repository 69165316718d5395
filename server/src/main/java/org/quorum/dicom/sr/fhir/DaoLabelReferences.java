package org.quorum.dicom.sr.fhir;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.quorum.dicom.sr.LabelSrMapper;

/** Reads a label's Device and PractitionerRole through the HAPI DAOs (as the system). */
public final class DaoLabelReferences implements LabelSrMapper.References {

    private final DaoRegistry daos;

    public DaoLabelReferences(DaoRegistry daos) {
        this.daos = daos;
    }

    @Override
    public Optional<Device> device(Reference reference) {
        return read(Device.class, reference);
    }

    @Override
    public Optional<PractitionerRole> practitionerRole(Reference reference) {
        return read(PractitionerRole.class, reference);
    }

    private <T extends IBaseResource> Optional<T> read(Class<T> type, Reference reference) {
        if (!reference.hasReference()) {
            return Optional.empty();
        }
        IdType id = new IdType(reference.getReference());
        if (!type.getSimpleName().equals(id.getResourceType()) || !id.hasIdPart()) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    daos.getResourceDao(type)
                            .read(id.toUnqualifiedVersionless(), new SystemRequestDetails()));
        } catch (ResourceNotFoundException | ResourceGoneException e) {
            return Optional.empty();
        }
    }
}
