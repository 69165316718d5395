package org.quorum.workflow.routing;

import java.util.Optional;
import org.quorum.workflow.Route;
import org.quorum.workflow.policy.ReviewPolicy;

/**
 * Routing of a case by the confidence of its AI pre-label (the quality framework's AI
 * pre-annotation rule): at or above the high threshold, one reviewer confirms the AI label, except
 * for a sampled share of those cases that a reviewer reads blind; between the thresholds, the usual
 * N annotators with the AI label shown as a suggestion; below the low threshold, N annotators who
 * do not see it. A case without an AI label, or whose AI label states no confidence, takes the
 * standard route.
 */
public final class AiRouting {

    private AiRouting() {}

    /**
     * @param caseKey identifies the case for the blind sample (e.g. project and source)
     */
    public static Route route(Optional<Double> aiConfidence, String caseKey, ReviewPolicy policy) {
        if (aiConfidence.isEmpty()) {
            return Route.STANDARD;
        }
        double confidence = aiConfidence.get();
        if (confidence >= policy.aiHighThreshold()) {
            return Sampling.selected("blind", caseKey, policy.blindFraction())
                    ? Route.AI_BLIND
                    : Route.AI_HIGH;
        }
        return confidence >= policy.aiLowThreshold() ? Route.AI_MEDIUM : Route.AI_LOW;
    }
}
