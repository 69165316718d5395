package org.quorum.workflow.fhir;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.quorum.security.Role;

/**
 * Which roles may call the workflow operations at all (the first gate; the workflow service then
 * checks the task, the roster, qualifications and calibration). These are the rows the security
 * capability's operation table carries for the workflow (docs/security.md, docs/workflow.md).
 */
public final class WorkflowOperationRoles {

    private static final Set<Role> CLINICIANS =
            EnumSet.of(Role.ANNOTATOR, Role.REVIEWER, Role.ADJUDICATOR);

    /** Operation name → roles. {@code $submit}: clinicians on Task, integration on a project. */
    public static final Map<String, Set<Role>> ROLES =
            Map.of(
                    "$open-cases", EnumSet.of(Role.PROJECT_ADMIN),
                    "$re-evaluate", EnumSet.of(Role.PROJECT_ADMIN),
                    "$skills-matrix", EnumSet.of(Role.PROJECT_ADMIN, Role.AUDITOR),
                    "$automation-bias", EnumSet.of(Role.PROJECT_ADMIN, Role.AUDITOR),
                    "$work-report", EnumSet.of(Role.PROJECT_ADMIN, Role.AUDITOR),
                    "$next-case", CLINICIANS,
                    "$submit",
                            EnumSet.of(
                                    Role.ANNOTATOR,
                                    Role.REVIEWER,
                                    Role.ADJUDICATOR,
                                    Role.INTEGRATION,
                                    Role.PROJECT_ADMIN),
                    "$review", EnumSet.of(Role.REVIEWER),
                    "$adjudicate", EnumSet.of(Role.ADJUDICATOR));

    private WorkflowOperationRoles() {}
}
