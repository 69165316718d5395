package org.quorum.deid.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Fills a {@link KnownPhi} from FHIR R4 Patient, Practitioner, Organization and Location resources
 * (Jackson trees). Only the elements that hold Safe Harbor identifiers are read: names, telecoms,
 * addresses below state level, identifiers, birth and death dates. Other resource types are
 * ignored.
 *
 * @see <a href="https://hl7.org/fhir/R4/patient.html">FHIR R4 Patient</a>
 * @see <a href="https://hl7.org/fhir/R4/datatypes.html#HumanName">HumanName</a>, <a
 *     href="https://hl7.org/fhir/R4/datatypes.html#Address">Address</a>, <a
 *     href="https://hl7.org/fhir/R4/datatypes.html#ContactPoint">ContactPoint</a>
 */
public final class FhirKnownPhiReader {

    /** HL7 v2 table 0203 identifier type code for a medical record number. */
    private static final String MEDICAL_RECORD_NUMBER = "MR";

    private static final String MOTHERS_MAIDEN_NAME =
            "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName";
    private static final String BIRTH_PLACE =
            "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";

    private FhirKnownPhiReader() {}

    /** Known PHI of one resource; for a Patient, with the MRN as patient key. */
    public static KnownPhi read(JsonNode resource) {
        KnownPhi.Builder builder = KnownPhi.builder();
        addResource(builder, resource);
        return builder.build();
    }

    /**
     * Adds the identifying values of one resource. A Patient also sets the patient key: its MRN
     * (identifier typed {@code MR}), else its first identifier, else its logical id.
     *
     * @return whether the resource was of a type that carries PHI for text
     */
    public static boolean addResource(KnownPhi.Builder builder, JsonNode resource) {
        String type = resource.path("resourceType").asText("");
        switch (type) {
            case "Patient" -> {
                patientKey(resource).ifPresent(builder::patientKey);
                addPerson(builder, resource);
                builder.date(date(resource.path("birthDate")));
                builder.date(date(resource.path("deceasedDateTime")));
                for (JsonNode extension : resource.path("extension")) {
                    String url = extension.path("url").asText("");
                    if (url.equals(MOTHERS_MAIDEN_NAME)) {
                        builder.personName(extension.path("valueString").asText(null));
                    } else if (url.equals(BIRTH_PLACE)) {
                        addAddress(builder, extension.path("valueAddress"));
                    }
                }
                // FHIR R4 Patient.contact: next of kin, guardians; their names and numbers are PHI
                // too.
                for (JsonNode contact : resource.path("contact")) {
                    addHumanName(builder, contact.path("name"));
                    addTelecoms(builder, contact.path("telecom"));
                    addAddress(builder, contact.path("address"));
                }
                return true;
            }
            case "Practitioner", "RelatedPerson" -> {
                addPerson(builder, resource);
                return true;
            }
            case "Organization", "Location" -> {
                builder.organization(resource.path("name").asText(null));
                for (JsonNode alias : resource.path("alias")) {
                    builder.organization(alias.asText(null));
                }
                addIdentifiers(builder, resource.path("identifier"));
                addTelecoms(builder, resource.path("telecom"));
                JsonNode address = resource.path("address");
                if (address.isArray()) {
                    for (JsonNode each : address) {
                        addAddress(builder, each);
                    }
                } else {
                    addAddress(builder, address);
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** The MRN of a Patient resource, else its first identifier, else its id. */
    public static Optional<String> patientKey(JsonNode patient) {
        String first = null;
        for (JsonNode identifier : patient.path("identifier")) {
            String value = identifier.path("value").asText(null);
            if (value == null) {
                continue;
            }
            for (JsonNode coding : identifier.path("type").path("coding")) {
                if (MEDICAL_RECORD_NUMBER.equals(coding.path("code").asText())) {
                    return Optional.of(value);
                }
            }
            if (first == null) {
                first = value;
            }
        }
        if (first != null) {
            return Optional.of(first);
        }
        return Optional.ofNullable(patient.path("id").asText(null));
    }

    private static void addPerson(KnownPhi.Builder builder, JsonNode resource) {
        for (JsonNode name : resource.path("name")) {
            addHumanName(builder, name);
        }
        addIdentifiers(builder, resource.path("identifier"));
        addTelecoms(builder, resource.path("telecom"));
        for (JsonNode address : resource.path("address")) {
            addAddress(builder, address);
        }
        builder.identifier(resource.path("id").asText(null), PhiType.ID);
    }

    private static void addHumanName(KnownPhi.Builder builder, JsonNode name) {
        if (name.isMissingNode() || name.isNull()) {
            return;
        }
        builder.personName(name.path("text").asText(null));
        List<String> givens = new ArrayList<>();
        for (JsonNode given : name.path("given")) {
            givens.add(given.asText(""));
        }
        // Every written form: "given family", "family, given", initials, name parts alone.
        builder.personName(name.path("family").asText(null), givens);
    }

    private static void addIdentifiers(KnownPhi.Builder builder, JsonNode identifiers) {
        for (JsonNode identifier : identifiers) {
            builder.identifier(identifier.path("value").asText(null), identifierType(identifier));
        }
    }

    // HL7 v2 table 0203 codes, as FHIR identifier types use them.
    private static PhiType identifierType(JsonNode identifier) {
        for (JsonNode coding : identifier.path("type").path("coding")) {
            switch (coding.path("code").asText("")) {
                case "SS", "SB" -> {
                    return PhiType.SSN;
                }
                case "DL", "NPI", "PRN", "MD", "DEA", "LN" -> {
                    return PhiType.LICENSE;
                }
                case "AN", "BA", "BC", "ACSN" -> {
                    return PhiType.ACCOUNT;
                }
                default -> {
                    // MR, PPN, MB, … and untyped ones: "other unique identifying number"
                }
            }
        }
        String system = identifier.path("system").asText("");
        if (system.endsWith("us-ssn")) {
            return PhiType.SSN;
        }
        if (system.endsWith("us-npi")) {
            return PhiType.LICENSE;
        }
        return PhiType.ID;
    }

    private static void addTelecoms(KnownPhi.Builder builder, JsonNode telecoms) {
        for (JsonNode telecom : telecoms) {
            String value = telecom.path("value").asText(null);
            switch (telecom.path("system").asText("")) {
                case "email" -> builder.email(value);
                case "url" -> builder.url(value);
                case "fax" -> builder.telecom(value, PhiType.FAX);
                default -> builder.telecom(value, PhiType.PHONE);
            }
        }
    }

    private static void addAddress(KnownPhi.Builder builder, JsonNode address) {
        if (address.isMissingNode() || address.isNull()) {
            return;
        }
        for (JsonNode line : address.path("line")) {
            builder.place(line.asText(null));
        }
        // Safe Harbor (B): subdivisions smaller than a state. State and country may stay.
        builder.place(address.path("city").asText(null));
        builder.place(address.path("district").asText(null));
        builder.postalCode(address.path("postalCode").asText(null));
    }

    private static LocalDate date(JsonNode node) {
        String text = node.asText("");
        if (text.length() < 10) {
            return null; // a year or year-month alone is not a full date element
        }
        try {
            return LocalDate.parse(text.substring(0, 10));
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
