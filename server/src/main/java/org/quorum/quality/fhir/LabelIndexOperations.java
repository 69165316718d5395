package org.quorum.quality.fhir;

import ca.uhn.fhir.rest.annotation.Operation;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.quorum.quality.index.LabelIndex;

/**
 * {@code POST /fhir/$rebuild-label-index}: builds the label index from the store again (an admin's
 * repair; the server also rebuilds it at start when it finds it missing or stale). Answers
 * Parameters with {@code labels}, {@code patients}, {@code removed} (rows of resources no longer
 * stored) and {@code seconds}. Who may call it: AccessPolicy.
 */
public final class LabelIndexOperations {

    private final LabelIndex index;

    public LabelIndexOperations(LabelIndex index) {
        this.index = index;
    }

    @Operation(name = "$rebuild-label-index", manualResponse = false)
    public Parameters rebuild() {
        LabelIndex.Rebuilt rebuilt = index.rebuild();
        Parameters result = new Parameters();
        result.addParameter().setName("labels").setValue(new IntegerType(rebuilt.labels()));
        result.addParameter().setName("patients").setValue(new IntegerType(rebuilt.patients()));
        result.addParameter().setName("removed").setValue(new IntegerType(rebuilt.removed()));
        result.addParameter()
                .setName("seconds")
                .setValue(new DecimalType(rebuilt.took().toMillis() / 1000.0));
        return result;
    }
}
