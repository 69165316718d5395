package org.quorum.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a person or system may do in Quorum. Roles travel in Quorum's access tokens (claim {@value
 * ClaimNames#ROLES}) and in the user and client registries by their {@linkplain #wireName() wire
 * name}.
 */
public enum Role {
    /** Labels the cases of the tasks assigned to them (de-identified data only). */
    ANNOTATOR("annotator"),
    /** Reviews another clinician's labels (second stage). */
    REVIEWER("reviewer"),
    /** Senior specialist who resolves disagreements (third stage). */
    ADJUDICATOR("adjudicator"),
    /** Manages a project: schemas, calibration gates, assignments, reports. */
    PROJECT_ADMIN("project-admin"),
    /** A system feeding or reading data (EHR, PACS, pipelines). */
    INTEGRATION("integration"),
    /** Reads audit trails, provenance and dataset lineage. */
    AUDITOR("auditor"),
    /** Manages de-identification profiles and keys. */
    DEID_ADMIN("deid-admin");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    /** The lower-case, hyphenated name used in tokens, files and on the command line. */
    public String wireName() {
        return wireName;
    }

    /** The role with this wire name (exact, lower-case), if any. */
    public static Optional<Role> fromWireName(String name) {
        for (Role role : values()) {
            if (role.wireName.equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses a wire name, accepting upper case and underscores as typed by people ({@code
     * PROJECT_ADMIN}).
     *
     * @throws IllegalArgumentException naming the valid roles
     */
    public static Role parse(String name) {
        String normalized =
                name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return fromWireName(normalized)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "unknown role '"
                                                + name
                                                + "'; valid roles: "
                                                + Arrays.stream(values())
                                                        .map(Role::wireName)
                                                        .collect(Collectors.joining(", "))));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
