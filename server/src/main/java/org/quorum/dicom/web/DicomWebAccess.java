package org.quorum.dicom.web;

import io.undertow.servlet.handlers.ServletRequestContext;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.quorum.dicom.store.DicomStore;
import org.quorum.security.AccessPolicy;
import org.quorum.security.CaseAssignments;
import org.quorum.security.Operation;
import org.quorum.security.QuorumPrincipal;
import org.quorum.security.http.BearerAuthHandler;

/**
 * Asks the {@link AccessPolicy} about each DICOMweb request. Images are clinical data, checked as
 * the FHIR type ImagingStudy (so SMART scopes such as {@code user/ImagingStudy.rs} apply): STOW is
 * create, QIDO search, WADO read. Case-bound roles reach only the studies whose ImagingStudy one of
 * their assignments points at ({@link CaseAssignments}).
 */
final class DicomWebAccess {

    private static final String RESOURCE_TYPE = "ImagingStudy";

    private final AccessPolicy policy;
    private final CaseAssignments assignments;
    private final DicomStore store;

    DicomWebAccess(AccessPolicy policy, CaseAssignments assignments, DicomStore store) {
        this.policy = policy;
        this.assignments = assignments;
        this.store = store;
    }

    /**
     * The studies the request may reach: empty for all, else the assigned ones.
     *
     * @throws DicomWebException 403 when the roles or scopes do not allow the operation
     */
    Optional<Set<String>> check(Operation operation) {
        QuorumPrincipal principal = principal();
        AccessPolicy.Decision decision = policy.decide(principal, RESOURCE_TYPE, operation);
        if (!decision.allowed()) {
            throw DicomWebException.forbidden("Access denied: " + decision.reason());
        }
        if (!decision.assignedOnly()) {
            return Optional.empty();
        }
        Set<String> mirrored =
                assignments.assignedTo(principal).stream()
                        .filter(reference -> reference.startsWith(RESOURCE_TYPE + "/"))
                        .map(reference -> reference.substring(RESOURCE_TYPE.length() + 1))
                        .collect(Collectors.toSet());
        return Optional.of(store.studiesMirroredBy(mirrored));
    }

    /** Like {@link #check}, for one study: 403 unless the principal may reach it. */
    void checkStudy(Operation operation, String studyUid) {
        Optional<Set<String>> allowed = check(operation);
        if (allowed.isPresent() && !allowed.get().contains(studyUid)) {
            throw DicomWebException.forbidden(
                    "Access denied: the study is not one of your assigned cases");
        }
    }

    /** The request's audit record, to commit with the STOW's data (absent outside the guard). */
    Optional<BearerAuthHandler.RequestAudit> requestAudit() {
        return Optional.ofNullable(
                ServletRequestContext.requireCurrent()
                        .getExchange()
                        .getAttachment(BearerAuthHandler.AUDIT));
    }

    private static QuorumPrincipal principal() {
        QuorumPrincipal principal =
                ServletRequestContext.requireCurrent()
                        .getExchange()
                        .getAttachment(BearerAuthHandler.PRINCIPAL);
        if (principal == null) {
            // The servlet is only reachable through BearerAuthHandler; refuse if wired otherwise.
            throw new DicomWebException(401, "Authentication required");
        }
        return principal;
    }
}
