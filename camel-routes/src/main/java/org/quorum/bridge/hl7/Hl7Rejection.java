package org.quorum.bridge.hl7;

import ca.uhn.hl7v2.AcknowledgmentCode;

/**
 * A message the bridge does not accept, with the acknowledgement code it gets (HL7 v2.5.1 §2.9.2,
 * table 0008): AR when the message is not one the bridge takes (type, trigger event, processing
 * id), AE when its content is wrong (no patient identifier, no text). The reason goes into MSA-3
 * and ERR; it names the field, never its value.
 */
public final class Hl7Rejection extends RuntimeException {

    private final AcknowledgmentCode code;

    public Hl7Rejection(AcknowledgmentCode code, String reason) {
        super(reason);
        this.code = code;
    }

    public AcknowledgmentCode code() {
        return code;
    }
}
