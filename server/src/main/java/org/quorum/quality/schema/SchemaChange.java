package org.quorum.quality.schema;

import java.util.List;
import java.util.Locale;

/**
 * One difference between two versions of a label schema.
 *
 * @param type what happened to the code
 * @param code the code (of the old version, or of the new one for {@link Type#ADDED})
 * @param display its display in the old version (new version for {@link Type#ADDED})
 * @param newDisplay its display in the new version, when it is still there
 * @param targets the new version's codes that replace it ({@link Type#SPLIT}, {@link Type#MERGED},
 *     {@link Type#REPLACED})
 */
public record SchemaChange(
        Type type, String code, String display, String newDisplay, List<String> targets) {

    public SchemaChange {
        targets = List.copyOf(targets);
    }

    /** Kinds of change. */
    public enum Type {
        /** A new code. Affects no existing label. */
        ADDED,
        /** The code is gone (or retired) with no replacement. */
        REMOVED,
        /** Same code, new display. */
        RENAMED,
        /** Retired and replaced by one new code that replaces nothing else. */
        REPLACED,
        /** Retired and replaced by two or more codes. */
        SPLIT,
        /**
         * Retired and replaced by one code that also replaces other codes, or that existed already.
         */
        MERGED;

        /** The code on the wire: {@code added}, {@code split}, … */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether final labels with the old code need re-evaluation. */
        public boolean affectsLabels() {
            return this != ADDED;
        }
    }
}
