package org.quorum.dicom.sr;

import ca.uhn.fhir.context.FhirContext;
import java.util.Optional;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.testing.Examples;

/**
 * The profile's label examples, the resources they reference (the fixtures bundle) and the
 * production pseudonymiser (the de-identification key service) with a test secret.
 */
final class ExampleLabels {

    static final FhirContext FHIR = FhirContext.forR4Cached();
    static final DeidKeyService KEYS =
            new DeidKeyService("test-secret-for-sr-tests-0123456789".getBytes());
    static final Function<String, String> PSEUDONYMISER =
            reference -> KEYS.pseudonym(IdentifierKind.OTHER_ID, reference);

    private ExampleLabels() {}

    static Observation imageLabel() {
        return read("valid/image-label.json");
    }

    static Observation aiLabel() {
        return read("valid/ai-label.json");
    }

    static Observation read(String example) {
        return FHIR.newJsonParser().parseResource(Observation.class, Examples.read(example));
    }

    /** Looks references up in fixtures/referenced-resources.json. */
    static LabelSrMapper.References fixtures() {
        Bundle bundle =
                FHIR.newJsonParser()
                        .parseResource(
                                Bundle.class, Examples.read("fixtures/referenced-resources.json"));
        return new LabelSrMapper.References() {
            @Override
            public Optional<Device> device(Reference reference) {
                return find(bundle, reference, Device.class);
            }

            @Override
            public Optional<PractitionerRole> practitionerRole(Reference reference) {
                return find(bundle, reference, PractitionerRole.class);
            }
        };
    }

    static LabelSrMapper mapper() {
        return new LabelSrMapper(fixtures(), PSEUDONYMISER);
    }

    private static <T extends Resource> Optional<T> find(
            Bundle bundle, Reference reference, Class<T> type) {
        return bundle.getEntry().stream()
                .map(Bundle.BundleEntryComponent::getResource)
                .filter(type::isInstance)
                .filter(
                        r ->
                                (r.fhirType() + "/" + r.getIdElement().getIdPart())
                                        .equals(reference.getReference()))
                .map(type::cast)
                .findFirst();
    }
}
