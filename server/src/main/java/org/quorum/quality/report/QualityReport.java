package org.quorum.quality.report;

import java.time.Instant;
import org.quorum.quality.agreement.ProjectAgreement;
import org.quorum.quality.balance.ClassBalanceReport;
import org.quorum.quality.bias.BiasReport;
import org.quorum.quality.data.Project;

/**
 * Everything the quality report page shows about one project, computed with the operations'
 * defaults.
 */
public record QualityReport(
        Project project,
        Instant generated,
        ProjectAgreement agreement,
        BiasReport bias,
        ClassBalanceReport classBalance) {}
