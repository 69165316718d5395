package org.quorum.deid.text;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A de-identified text and how many PHI spans of each type were replaced. It never carries the
 * replaced values, so it may be logged and stored as the record of what was removed.
 */
public record DeidentifiedText(String text, Map<PhiType, Integer> countsByType) {

    public DeidentifiedText {
        Map<PhiType, Integer> copy = new EnumMap<>(PhiType.class);
        copy.putAll(countsByType);
        countsByType = Collections.unmodifiableMap(copy);
    }

    public int totalReplaced() {
        return countsByType.values().stream().mapToInt(Integer::intValue).sum();
    }
}
