package org.quorum.security;

import java.util.Set;
import java.util.regex.Pattern;

/** The forms of names and ids in the registries, checked where they come in. */
final class Identifiers {

    // Names go into JWT claims, JSON files, audit records and terminals: a conservative set.
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@~-]{0,127}");
    // FHIR R4 §2.24.0.1 id: the project ids are ResearchStudy ids.
    private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
    // SMART App Launch v2 §"fhirUser": one of these resource types, as a relative or absolute URL.
    private static final Pattern FHIR_USER =
            Pattern.compile(
                    "((https?://[^\\s/]+(/[^\\s]*)?/)?)"
                            + "(Practitioner|PractitionerRole|Patient|RelatedPerson|Person)"
                            + "/[A-Za-z0-9\\-.]{1,64}");

    private Identifiers() {}

    /** A user name or client id: letters, digits and {@code . _ @ ~ -}, at most 128. */
    static String checkName(String value, String what) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    what
                            + " '"
                            + SmartScope.echo(String.valueOf(value))
                            + "' is not valid: use 1 to 128 letters, digits and . _ @ ~ -,"
                            + " starting with a letter or digit");
        }
        return value;
    }

    /** A project (ResearchStudy) id: a FHIR id. */
    static Set<String> checkProjects(Set<String> projects) {
        for (String project : projects) {
            if (project == null || !FHIR_ID.matcher(project).matches()) {
                throw new IllegalArgumentException(
                        "project id '"
                                + SmartScope.echo(String.valueOf(project))
                                + "' is not a FHIR id (1 to 64 letters, digits, - and .)");
            }
        }
        return Set.copyOf(projects);
    }

    /** A {@code fhirUser} reference such as {@code PractitionerRole/123}. */
    static String checkFhirUser(String fhirUser) {
        if (fhirUser == null || !FHIR_USER.matcher(fhirUser).matches()) {
            throw new IllegalArgumentException(
                    "fhirUser '"
                            + SmartScope.echo(String.valueOf(fhirUser))
                            + "' is not a reference to a Practitioner, PractitionerRole, Patient,"
                            + " RelatedPerson or Person, e.g. PractitionerRole/123");
        }
        return fhirUser;
    }
}
