package org.quorum.bridge.config;

import org.quorum.config.ConfigSource;

/** Lets tests of other packages build one settings record from values. */
public final class TestAccess {

    private TestAccess() {}

    public static ReliabilitySettings reliability(ConfigSource source) {
        return ReliabilitySettings.from(source);
    }
}
