package org.quorum.bridge.config;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.quorum.config.ConfigException;
import org.quorum.config.ConfigSource;

/**
 * Write-back of the project's final labels: the bridge polls Quorum for labels that became final,
 * amended or corrected and writes each, re-identified, to the EHR the source came from ({@code
 * ehr}) and the SR Quorum made of an image label to the PACS the image came from, by STOW-RS
 * ({@code pacs}) and by C-STORE ({@code pacsDimse}, to the PACS of {@link DimseSettings}, confirmed
 * by C-FIND).
 *
 * @param identifierSystem the system of the stable identifier each written Observation carries
 *     (value {@code <project>/<Quorum's Observation id>}); the EHR's conditional update on it is
 *     what makes a retry harmless
 * @param start labels last updated before this are not written back
 */
public record WriteBackSettings(
        boolean ehr,
        boolean pacs,
        boolean pacsDimse,
        Duration pollInterval,
        String identifierSystem,
        Optional<Instant> start) {

    public static final String EHR = "QUORUM_BRIDGE_WRITEBACK_EHR";
    public static final String PACS = "QUORUM_BRIDGE_WRITEBACK_PACS";
    public static final String PACS_DIMSE = "QUORUM_BRIDGE_WRITEBACK_PACS_DIMSE";
    public static final String POLL_INTERVAL = "QUORUM_BRIDGE_WRITEBACK_POLL_INTERVAL";
    public static final String IDENTIFIER_SYSTEM = "QUORUM_BRIDGE_WRITEBACK_IDENTIFIER_SYSTEM";
    public static final String START = "QUORUM_BRIDGE_WRITEBACK_START";
    static final Set<String> KEYS =
            Set.of(EHR, PACS, PACS_DIMSE, POLL_INTERVAL, IDENTIFIER_SYSTEM, START);

    /** The default identifier system of written-back labels. */
    public static final String DEFAULT_SYSTEM = "https://quorum.dev/fhir/sid/label";

    static Optional<WriteBackSettings> from(
            ConfigSource source,
            boolean ehrConfigured,
            boolean pacsConfigured,
            boolean dimseConfigured) {
        boolean ehr = source.booleanValue(EHR, false);
        boolean pacs = source.booleanValue(PACS, false);
        boolean pacsDimse = source.booleanValue(PACS_DIMSE, false);
        if (!ehr && !pacs && !pacsDimse) {
            for (String key : Set.of(POLL_INTERVAL, IDENTIFIER_SYSTEM, START)) {
                if (source.get(key).isPresent()) {
                    throw new ConfigException(
                            EHR,
                            "or "
                                    + PACS
                                    + " or "
                                    + PACS_DIMSE
                                    + " must be true when "
                                    + key
                                    + " is set");
                }
            }
            return Optional.empty();
        }
        if (ehr && !ehrConfigured) {
            throw new ConfigException(
                    EHR, "needs the EHR (" + EhrSettings.URL + ") to write the labels to");
        }
        if (pacs && !pacsConfigured) {
            throw new ConfigException(
                    PACS, "needs the PACS (" + PacsSettings.DICOMWEB_URL + ") to write the SRs to");
        }
        if (pacsDimse && !dimseConfigured) {
            throw new ConfigException(
                    PACS_DIMSE,
                    "needs the PACS's DIMSE address ("
                            + DimseSettings.HOST
                            + ", "
                            + DimseSettings.PORT
                            + ", "
                            + DimseSettings.CALLED_AET
                            + ") to C-STORE the SRs to");
        }
        Duration poll =
                source.duration(
                        POLL_INTERVAL,
                        Duration.ofSeconds(30),
                        Duration.ofMillis(200),
                        Duration.ofDays(1));
        String system = source.get(IDENTIFIER_SYSTEM).orElse(DEFAULT_SYSTEM);
        if (!system.matches("(https?|urn):\\S+")) {
            throw new ConfigException(
                    IDENTIFIER_SYSTEM, "'" + system + "' is not a URI such as " + DEFAULT_SYSTEM);
        }
        Optional<Instant> start =
                source.get(START).map(value -> EhrSettings.parseInstant(START, value));
        return Optional.of(new WriteBackSettings(ehr, pacs, pacsDimse, poll, system, start));
    }
}
