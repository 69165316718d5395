package org.quorum.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.util.Collection;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * A validation support chain that knows the FHIR R4 core definitions and a given set of Quorum
 * conformance resources, without a server: used to build the package and to test the profiles. The
 * server uses HAPI JPA's own chain, which reads the same resources from its database.
 */
public final class StandaloneValidationSupport {

    private StandaloneValidationSupport() {}

    public static ValidationSupportChain create(
            FhirContext context, Collection<? extends IBaseResource> conformanceResources) {
        PrePopulatedValidationSupport quorum = new PrePopulatedValidationSupport(context);
        conformanceResources.forEach(quorum::addResource);
        return new ValidationSupportChain(
                quorum,
                new DefaultProfileValidationSupport(context),
                new CommonCodeSystemsTerminologyService(context),
                new InMemoryTerminologyServerValidationSupport(context),
                new SnapshotGeneratingValidationSupport(context));
    }
}
