package org.quorum.deid.text.eval;

import org.quorum.deid.text.PhiType;

/**
 * A labelled stretch of an evaluation text.
 *
 * @param label the data set's own label, e.g. {@code PERSON} or {@code GPE (city)}
 * @param type what the label is in our terms; {@code null} when the label is not PHI under Safe
 *     Harbor (a country, a job title, an age under 90): such tokens count neither for nor against
 *     us
 */
public record GoldSpan(int start, int end, String label, PhiType type) {

    public boolean isPhi() {
        return type != null;
    }
}
