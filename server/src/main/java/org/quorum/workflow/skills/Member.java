package org.quorum.workflow.skills;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.quorum.workflow.Stage;

/**
 * A clinician on a project's roster: a PractitionerRole with the project extension, its
 * Practitioner's qualifications and the role's specialties.
 *
 * @param role {@code PractitionerRole/…}
 * @param practitioner {@code Practitioner/…}, if the role names one
 * @param projectRoles what the clinician does in the project (PractitionerRole.code from {@code
 *     quorum-project-role}: annotator, reviewer, adjudicator); empty: any stage their
 *     qualifications allow
 * @param active PractitionerRole.active is not false
 * @param roleStart first day of PractitionerRole.period, if any
 * @param roleEnd last day of PractitionerRole.period, if any
 * @param qualifications the Practitioner's qualifications
 * @param specialties PractitionerRole.specialty codes ({@code system|code})
 */
public record Member(
        String role,
        Optional<String> practitioner,
        Set<String> projectRoles,
        boolean active,
        Optional<LocalDate> roleStart,
        Optional<LocalDate> roleEnd,
        List<Qualification> qualifications,
        Set<String> specialties) {

    public Member {
        projectRoles = Set.copyOf(projectRoles);
        qualifications = List.copyOf(qualifications);
        specialties = Set.copyOf(specialties);
    }

    /** Whether the role is active on {@code day} (active flag and period). */
    public boolean activeOn(LocalDate day) {
        return active
                && roleStart.map(s -> !day.isBefore(s)).orElse(true)
                && roleEnd.map(e -> !day.isAfter(e)).orElse(true);
    }

    /** Whether the project role allows the stage (no project role: every stage). */
    public boolean works(Stage stage) {
        if (projectRoles.isEmpty()) {
            return true;
        }
        return switch (stage) {
            case ANNOTATE, CALIBRATE -> projectRoles.contains("annotator");
            case REVIEW, RE_EVALUATE -> projectRoles.contains("reviewer");
            case ADJUDICATE -> projectRoles.contains("adjudicator");
            default -> false;
        };
    }

    /** Codes the clinician holds on {@code day}: valid qualifications, and specialties. */
    public Set<String> codesOn(LocalDate day) {
        Set<String> codes = new TreeSet<>();
        qualifications.stream().filter(q -> q.validOn(day)).forEach(q -> codes.add(q.code()));
        if (activeOn(day)) {
            codes.addAll(specialties);
        }
        return codes;
    }

    /**
     * Whether the clinician qualifies for work that requires {@code required} on {@code day}. Every
     * required code must be held; no requirement: qualified.
     */
    public Eligibility eligibility(Stage stage, Set<String> required, LocalDate day) {
        Set<String> held = codesOn(day);
        Set<String> missing = new TreeSet<>();
        Set<String> expired = new TreeSet<>();
        for (String code : required) {
            if (!held.contains(code)) {
                boolean hadIt = qualifications.stream().anyMatch(q -> q.code().equals(code));
                (hadIt ? expired : missing).add(code);
            }
        }
        List<Qualification> matched =
                qualifications.stream()
                        .filter(q -> q.validOn(day) && required.contains(q.code()))
                        .toList();
        return new Eligibility(works(stage), activeOn(day), missing, expired, matched, required);
    }

    /**
     * Whether a clinician may work a stage on a kind of case.
     *
     * @param roleAllows the project role allows the stage
     * @param active the PractitionerRole is active that day
     * @param missing required codes the clinician never held
     * @param expired required codes the clinician held, but not on that day (expired, or not yet
     *     valid)
     * @param matched the qualifications that satisfy the requirement
     * @param required the codes that were required
     */
    public record Eligibility(
            boolean roleAllows,
            boolean active,
            Set<String> missing,
            Set<String> expired,
            List<Qualification> matched,
            Set<String> required) {

        public boolean qualified() {
            return roleAllows && active && missing.isEmpty() && expired.isEmpty();
        }

        /** Why not, in words, or empty when qualified. */
        public String reason() {
            if (!roleAllows) {
                return "the project role (PractitionerRole.code) does not include this stage";
            }
            if (!active) {
                return "the PractitionerRole is not active today";
            }
            List<String> parts = new java.util.ArrayList<>();
            if (!missing.isEmpty()) {
                parts.add("missing qualification " + String.join(", ", missing));
            }
            if (!expired.isEmpty()) {
                parts.add("qualification " + String.join(", ", expired) + " not valid today");
            }
            return String.join("; ", parts);
        }
    }
}
