package org.quorum.bridge.testing;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/**
 * What must never reach Quorum from an identified patient record: name parts, identifier values
 * (MRN, SSN, licences), address lines, cities, full postal codes, phone numbers; and a search of
 * stored resources (their JSON and their decoded text attachments) for any of them.
 */
public final class PhiCheck {

    private PhiCheck() {}

    /** The identifying values of a patient (each at least 4 characters, to avoid noise). */
    public static Set<String> identifyingValues(Patient patient) {
        Set<String> values = new LinkedHashSet<>();
        for (HumanName name : patient.getName()) {
            add(values, name.getFamily());
            name.getGiven().stream().map(StringType::getValue).forEach(v -> add(values, v));
        }
        for (Identifier identifier : patient.getIdentifier()) {
            add(values, identifier.getValue());
        }
        for (Address address : patient.getAddress()) {
            address.getLine().stream().map(StringType::getValue).forEach(v -> add(values, v));
            add(values, address.getCity());
            add(values, address.getPostalCode());
        }
        for (ContactPoint telecom : patient.getTelecom()) {
            add(values, telecom.getValue());
        }
        add(values, patient.getIdElement().getIdPart());
        return values;
    }

    private static void add(Set<String> values, String value) {
        if (value != null && value.strip().length() >= 4) {
            values.add(value.strip());
        }
    }

    /** Each identifying value found in the stored resources, with where (empty: none found). */
    public static List<String> leaks(
            FhirContext fhir, List<Resource> stored, Set<String> identifying) {
        List<String> found = new ArrayList<>();
        for (Resource resource : stored) {
            StringBuilder text =
                    new StringBuilder(fhir.newJsonParser().encodeResourceToString(resource));
            for (Attachment attachment :
                    fhir.newTerser()
                            .getAllPopulatedChildElementsOfType(resource, Attachment.class)) {
                if (attachment.hasData()) {
                    text.append('\n')
                            .append(new String(attachment.getData(), StandardCharsets.UTF_8));
                }
            }
            String haystack = text.toString().toLowerCase(Locale.ROOT);
            for (String value : identifying) {
                if (haystack.contains(value.toLowerCase(Locale.ROOT))) {
                    found.add(
                            value
                                    + " in "
                                    + resource.fhirType()
                                    + "/"
                                    + resource.getIdElement().getIdPart());
                }
            }
        }
        return found;
    }
}
