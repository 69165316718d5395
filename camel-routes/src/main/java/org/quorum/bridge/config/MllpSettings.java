package org.quorum.bridge.config;

import java.util.Optional;
import java.util.Set;
import org.quorum.config.ConfigSource;

/**
 * The HL7 v2 listener (MLLP) for MDM^T02 notes and ORU^R01 reports.
 *
 * @param host address to listen on; loopback by default: the interface engine's address must be
 *     opened on purpose
 * @param identifierSystem the FHIR identifier system for PID-3 values that carry no assigning
 *     authority (PID-3.4)
 */
public record MllpSettings(int port, String host, String identifierSystem) {

    public static final String PORT = "QUORUM_BRIDGE_MLLP_PORT";
    public static final String HOST = "QUORUM_BRIDGE_MLLP_HOST";
    public static final String IDENTIFIER_SYSTEM = "QUORUM_BRIDGE_HL7_IDENTIFIER_SYSTEM";
    static final Set<String> KEYS = Set.of(PORT, HOST, IDENTIFIER_SYSTEM);

    static Optional<MllpSettings> from(ConfigSource source) {
        if (source.get(PORT).isEmpty()) {
            return Optional.empty();
        }
        int port = source.intValue(PORT, 2575, 0, 65535);
        String host = source.get(HOST).orElse("127.0.0.1");
        OpsSettings.checkAddress(HOST, host);
        String system = source.get(IDENTIFIER_SYSTEM).orElse("urn:quorum:bridge:hl7:mrn");
        return Optional.of(new MllpSettings(port, host, system));
    }
}
