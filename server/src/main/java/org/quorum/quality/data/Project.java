package org.quorum.quality.data;

/**
 * An annotation project (a ResearchStudy).
 *
 * @param reference {@code ResearchStudy/…}
 * @param title ResearchStudy.title, or the id when it has none
 */
public record Project(String reference, String title) {

    /** The logical id (the part after {@code ResearchStudy/}). */
    public String id() {
        return reference.substring(reference.indexOf('/') + 1);
    }
}
