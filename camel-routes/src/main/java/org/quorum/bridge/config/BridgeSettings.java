package org.quorum.bridge.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.quorum.config.ConfigException;
import org.quorum.config.ConfigSource;

/**
 * All of the bridge's configuration: one small typed record per concern, read from one properties
 * file plus {@code QUORUM_BRIDGE_*} environment variables (which win), validated before anything
 * starts. A bad value throws {@link ConfigException} naming the key; {@code quorum bridge} then
 * exits with status 78.
 */
public record BridgeSettings(
        StoreSettings store,
        OpsSettings ops,
        DeidSettings deid,
        QuorumSettings quorum,
        Optional<EhrSettings> ehr,
        Optional<MllpSettings> mllp,
        Optional<PacsSettings> pacs,
        Optional<WriteBackSettings> writeBack,
        ReliabilitySettings reliability) {

    /** Names the configuration file when {@code --config} is not given (environment only). */
    public static final String CONFIG_FILE_KEY = "QUORUM_BRIDGE_CONFIG";

    /** Every bridge key starts with this; only such environment variables are read. */
    public static final String PREFIX = "QUORUM_BRIDGE_";

    /** Every key a configuration file may hold. */
    public static Set<String> knownKeys() {
        Set<String> keys = new HashSet<>();
        keys.addAll(StoreSettings.KEYS);
        keys.addAll(OpsSettings.KEYS);
        keys.addAll(DeidSettings.KEYS);
        keys.addAll(QuorumSettings.KEYS);
        keys.addAll(EhrSettings.KEYS);
        keys.addAll(MllpSettings.KEYS);
        keys.addAll(PacsSettings.KEYS);
        keys.addAll(WriteBackSettings.KEYS);
        keys.addAll(ReliabilitySettings.KEYS);
        return keys;
    }

    public static ConfigSource source(Map<String, String> env, Optional<Path> configFile) {
        return ConfigSource.load(env, configFile, knownKeys(), CONFIG_FILE_KEY, PREFIX);
    }

    public static BridgeSettings load(Map<String, String> env, Optional<Path> configFile) {
        return from(source(env, configFile));
    }

    /** Everything the bridge runs with; the ingest routes need their peers configured. */
    public static BridgeSettings from(ConfigSource source) {
        StoreSettings store = StoreSettings.from(source);
        OpsSettings ops = OpsSettings.from(source);
        DeidSettings deid = DeidSettings.from(source);
        QuorumSettings quorum = QuorumSettings.from(source);
        Optional<EhrSettings> ehr = EhrSettings.from(source);
        Optional<MllpSettings> mllp = MllpSettings.from(source);
        Optional<PacsSettings> pacs = PacsSettings.from(source);
        Optional<WriteBackSettings> writeBack =
                WriteBackSettings.from(
                        source,
                        ehr.isPresent(),
                        pacs.flatMap(PacsSettings::dicomWebRoot).isPresent(),
                        pacs.flatMap(PacsSettings::dimse).isPresent());
        ReliabilitySettings reliability = ReliabilitySettings.from(source);
        if (ehr.isEmpty() && mllp.isEmpty() && pacs.isEmpty()) {
            throw new ConfigException(
                    EhrSettings.URL,
                    "nothing to bridge: set "
                            + EhrSettings.URL
                            + " (FHIR pull) or "
                            + MllpSettings.PORT
                            + " (HL7 v2 listener) or "
                            + PacsSettings.DICOMWEB_URL
                            + " (PACS pull)");
        }
        if (ehr.isEmpty() && pacs.map(PacsSettings::accessionFromEhr).orElse(false)) {
            throw new ConfigException(
                    PacsSettings.ACCESSION_FROM_EHR,
                    "is true and "
                            + EhrSettings.URL
                            + " is not set: the accession numbers come from the EHR cohort");
        }
        return new BridgeSettings(
                store, ops, deid, quorum, ehr, mllp, pacs, writeBack, reliability);
    }
}
