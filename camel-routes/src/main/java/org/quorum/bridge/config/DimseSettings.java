package org.quorum.bridge.config;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.quorum.config.ConfigException;
import org.quorum.config.ConfigSource;

/**
 * The PACS over DIMSE (PS3.7, PS3.4 Annex C): C-FIND (Study Root) to find, C-MOVE to the bridge's
 * own C-STORE SCP or C-GET on one association to fetch.
 *
 * @param calledAeTitle the PACS's AE title
 * @param callingAeTitle the bridge's AE title; with C-MOVE the PACS must know it as a move
 *     destination at this host and {@code scpPort}
 * @param scpPort where the bridge's C-STORE SCP listens (all interfaces; C-MOVE only)
 * @param timeout longest time one C-FIND, C-MOVE or C-GET may take (PixelMed's SCUs block and have
 *     no time-out of their own)
 * @param pool how many DIMSE calls may run at once; a call that outlives its time-out keeps its
 *     thread until the socket gives up, so the pool bounds what a hanging PACS can hold
 * @param pull whether the bridge pulls from this PACS (route {@code pacs-dimse}); {@code false}
 *     when it is only where SRs are written back by C-STORE
 */
public record DimseSettings(
        String host,
        int port,
        String calledAeTitle,
        String callingAeTitle,
        Retrieve retrieve,
        int scpPort,
        Duration timeout,
        int pool,
        boolean pull) {

    /** How instances are fetched. */
    public enum Retrieve {
        MOVE,
        GET
    }

    public static final String HOST = "QUORUM_BRIDGE_PACS_DIMSE_HOST";
    public static final String PORT = "QUORUM_BRIDGE_PACS_DIMSE_PORT";
    public static final String CALLED_AET = "QUORUM_BRIDGE_PACS_DIMSE_AET";
    public static final String CALLING_AET = "QUORUM_BRIDGE_PACS_DIMSE_CALLING_AET";
    public static final String RETRIEVE = "QUORUM_BRIDGE_PACS_DIMSE_RETRIEVE";
    public static final String SCP_PORT = "QUORUM_BRIDGE_PACS_DIMSE_SCP_PORT";
    public static final String TIMEOUT = "QUORUM_BRIDGE_PACS_DIMSE_TIMEOUT";
    public static final String POOL = "QUORUM_BRIDGE_PACS_DIMSE_POOL";
    public static final String PULL = "QUORUM_BRIDGE_PACS_DIMSE_PULL";
    static final Set<String> KEYS =
            Set.of(HOST, PORT, CALLED_AET, CALLING_AET, RETRIEVE, SCP_PORT, TIMEOUT, POOL, PULL);

    // PS3.5 §6.2 AE: 1-16 characters of the default repertoire, no backslash, not all spaces
    private static final Pattern AE_TITLE = Pattern.compile("[ -\\[\\]-~]{1,16}");

    static Optional<DimseSettings> from(ConfigSource source) {
        Optional<String> host = source.get(HOST);
        if (host.isEmpty()) {
            for (String key : Set.of(PORT, CALLED_AET, RETRIEVE, SCP_PORT, PULL)) {
                if (source.get(key).isPresent()) {
                    throw new ConfigException(HOST, "is required when " + key + " is set");
                }
            }
            return Optional.empty();
        }
        int port = source.intValue(PORT, 104, 1, 65535);
        String called =
                aeTitle(source, CALLED_AET, source.required(CALLED_AET, "the PACS's AE title"));
        String calling =
                aeTitle(source, CALLING_AET, source.get(CALLING_AET).orElse("QUORUM_BRIDGE"));
        Retrieve retrieve =
                Retrieve.valueOf(
                        source.oneOf(RETRIEVE, "move", Set.of("move", "get"))
                                .toUpperCase(java.util.Locale.ROOT));
        boolean pull = source.booleanValue(PULL, true);
        int scpPort = 0;
        if (pull && retrieve == Retrieve.MOVE) {
            source.required(
                    SCP_PORT,
                    "the port of the bridge's C-STORE SCP (the C-MOVE destination), e.g. 11113;"
                            + " the PACS must know the bridge's AE title at this port");
            scpPort = source.intValue(SCP_PORT, 0, 1, 65535);
        }
        Duration timeout =
                source.duration(
                        TIMEOUT,
                        Duration.ofSeconds(120),
                        Duration.ofSeconds(1),
                        Duration.ofHours(2));
        int pool = source.intValue(POOL, 2, 1, 16);
        return Optional.of(
                new DimseSettings(
                        host.get().strip(),
                        port,
                        called,
                        calling,
                        retrieve,
                        scpPort,
                        timeout,
                        pool,
                        pull));
    }

    private static String aeTitle(ConfigSource source, String key, String value) {
        if (!AE_TITLE.matcher(value).matches() || value.isBlank()) {
            throw new ConfigException(
                    key, "'" + value + "' is not an AE title (1 to 16 characters, no backslash)");
        }
        return value.strip();
    }
}
