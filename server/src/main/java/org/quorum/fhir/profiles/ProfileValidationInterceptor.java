package org.quorum.fhir.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.IValidatorModule;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.quorum.labels.LabelRecognition;
import org.quorum.profiles.QuorumProfiles;

/**
 * Rejects, with HTTP 422 and an OperationOutcome, every create or update of a resource that claims
 * a Quorum profile in {@code meta.profile} but does not conform to it. Nothing is stored: the hook
 * runs inside the storage transaction, so a failing entry rolls back a whole transaction Bundle.
 *
 * <p>It runs before commit rather than before storage so that references inside a transaction
 * Bundle ({@code urn:uuid:} placeholders) are already resolved to the ids the profile's rules
 * check. A label that belongs to a project but leaves {@code meta.profile} out is validated against
 * QuorumLabel all the same ({@link LabelRecognition}): leaving the claim out does not escape the
 * rules. Other resources that claim no Quorum profile are not validated here (HAPI's {@code
 * $validate} remains available for them).
 */
@Interceptor
public final class ProfileValidationInterceptor {

    private final FhirContext fhirContext;
    private final FhirValidator validator;

    public ProfileValidationInterceptor(
            FhirContext fhirContext, IValidatorModule instanceValidator) {
        this.fhirContext = fhirContext;
        this.validator = fhirContext.newValidator();
        this.validator.registerValidatorModule(instanceValidator);
    }

    /**
     * Marks a server-side write whose resource the server built itself (see {@link #serverBuilt}).
     */
    private static final String SERVER_BUILT =
            ProfileValidationInterceptor.class.getName() + ".built";

    /**
     * A system request for writes of resources the server builds itself from validated parts (the
     * review workflow's Tasks): they are not validated again on every write, which halves the cost
     * of a claim; the tests validate each kind ({@code ReviewWorkflowIT}). Labels are validated
     * whatever the request says.
     */
    public static SystemRequestDetails serverBuilt() {
        SystemRequestDetails request = new SystemRequestDetails();
        request.getUserData().put(SERVER_BUILT, Boolean.TRUE);
        return request;
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void resourceCreated(IBaseResource resource, RequestDetails request) {
        if (!skipped(resource, request)) {
            validateClaimedProfiles(resource);
        }
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void resourceUpdated(
            IBaseResource previous, IBaseResource resource, RequestDetails request) {
        if (!skipped(resource, request)) {
            validateClaimedProfiles(resource);
        }
    }

    private static boolean skipped(IBaseResource resource, RequestDetails request) {
        return request instanceof SystemRequestDetails
                && Boolean.TRUE.equals(request.getUserData().get(SERVER_BUILT))
                && !LabelRecognition.isLabel(resource);
    }

    /**
     * Validates {@code resource} when it claims a Quorum profile or is a label; throws on any
     * error.
     */
    public void validateClaimedProfiles(IBaseResource resource) {
        List<String> claimed =
                resource.getMeta().getProfile().stream()
                        .map(IPrimitiveType::getValueAsString)
                        .filter(QuorumProfiles::isQuorumCanonical)
                        .toList();
        ValidationOptions options = new ValidationOptions();
        if (LabelRecognition.isLabel(resource) && !claimed.contains(QuorumProfiles.LABEL)) {
            // A project's label that does not claim the profile is held to it all the same.
            claimed = new java.util.ArrayList<>(claimed);
            claimed.add(QuorumProfiles.LABEL);
            options.addProfile(QuorumProfiles.LABEL);
        }
        if (claimed.isEmpty()) {
            return;
        }
        ValidationResult result = validator.validateWithResult(resource, options);
        List<SingleValidationMessage> errors =
                result.getMessages().stream()
                        .filter(
                                m ->
                                        m.getSeverity().ordinal()
                                                >= ResultSeverityEnum.ERROR.ordinal())
                        .toList();
        if (errors.isEmpty()) {
            return;
        }
        throw new UnprocessableEntityException(fhirContext, outcome(resource, claimed, errors));
    }

    private static OperationOutcome outcome(
            IBaseResource resource, List<String> claimed, List<SingleValidationMessage> errors) {
        OperationOutcome outcome = new OperationOutcome();
        for (SingleValidationMessage error : errors) {
            OperationOutcome.OperationOutcomeIssueComponent issue =
                    outcome.addIssue()
                            .setSeverity(
                                    error.getSeverity() == ResultSeverityEnum.FATAL
                                            ? OperationOutcome.IssueSeverity.FATAL
                                            : OperationOutcome.IssueSeverity.ERROR)
                            .setCode(OperationOutcome.IssueType.PROCESSING)
                            .setDiagnostics(error.getMessage());
            if (error.getLocationString() != null) {
                issue.addExpression(error.getLocationString());
                issue.addLocation(error.getLocationString());
            }
        }
        outcome.addIssue()
                .setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
                .setCode(OperationOutcome.IssueType.INFORMATIONAL)
                .setDiagnostics(
                        resource.fhirType()
                                + " does not conform to "
                                + String.join(", ", claimed)
                                + "; nothing was stored. Fix the elements named above, or check the"
                                + " resource first with $validate.");
        return outcome;
    }
}
