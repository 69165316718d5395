package org.quorum.workflow;

import org.hl7.fhir.r4.model.Observation;
import org.quorum.labels.LabelReadModel;

/** Small reads of label Observations. */
final class LabelRefs {

    private LabelRefs() {}

    /** The label's Device ({@code Device/…}) or {@code null}. */
    static String device(Observation label) {
        return LabelReadModel.relative(label.getDevice());
    }
}
