package org.quorum.bridge.config;

import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.quorum.config.ConfigException;
import org.quorum.config.ConfigSource;

/**
 * The PACS the bridge pulls images from over DICOMweb (PS3.18): QIDO-RS by Study Date window and
 * modality, WADO-RS of each new instance.
 *
 * @param dicomWebRoot the PACS's DICOMweb root, e.g. {@code http://pacs:8042/dicom-web}
 * @param dimse the PACS's DIMSE service (C-FIND, C-MOVE or C-GET)
 * @param modalities Modalities in Study (0008,0061) to ask for; every study when empty
 * @param start the oldest Study Date of the backfill
 * @param lookback after the backfill, each poll asks again for studies of the last {@code lookback}
 *     days: instances that reach the PACS late (a series sent hours later) are found by comparing
 *     instance counts
 * @param accessionFromEhr ask the PACS only for the studies whose Accession Number (0008,0050) an
 *     imaging order, report or study of the EHR cohort carries (identifiers of type {@code ACSN}),
 *     one QIDO-RS / C-FIND per accession number, instead of every study of the date window
 */
public record PacsSettings(
        Optional<URI> dicomWebRoot,
        Optional<DimseSettings> dimse,
        Set<String> modalities,
        LocalDate start,
        Duration lookback,
        ClientAuth auth,
        Duration pollInterval,
        int pageSize,
        Duration connectTimeout,
        Duration readTimeout,
        boolean accessionFromEhr) {

    public static final String DICOMWEB_URL = "QUORUM_BRIDGE_PACS_DICOMWEB_URL";
    public static final String MODALITIES = "QUORUM_BRIDGE_PACS_MODALITIES";
    public static final String START = "QUORUM_BRIDGE_PACS_START";
    public static final String LOOKBACK = "QUORUM_BRIDGE_PACS_LOOKBACK";
    public static final String POLL_INTERVAL = "QUORUM_BRIDGE_PACS_POLL_INTERVAL";
    public static final String PAGE_SIZE = "QUORUM_BRIDGE_PACS_PAGE_SIZE";
    public static final String CONNECT_TIMEOUT = "QUORUM_BRIDGE_PACS_CONNECT_TIMEOUT";
    public static final String READ_TIMEOUT = "QUORUM_BRIDGE_PACS_READ_TIMEOUT";
    public static final String ACCESSION_FROM_EHR = "QUORUM_BRIDGE_PACS_ACCESSION_FROM_EHR";
    static final String AUTH_PREFIX = "QUORUM_BRIDGE_PACS_";
    static final Set<String> KEYS;

    static {
        Set<String> keys =
                new HashSet<>(
                        Set.of(
                                DICOMWEB_URL,
                                MODALITIES,
                                START,
                                LOOKBACK,
                                POLL_INTERVAL,
                                PAGE_SIZE,
                                CONNECT_TIMEOUT,
                                READ_TIMEOUT,
                                ACCESSION_FROM_EHR));
        keys.addAll(ClientAuth.keys(AUTH_PREFIX));
        keys.addAll(DimseSettings.KEYS);
        KEYS = Set.copyOf(keys);
    }

    // PS3.3 C.7.3.1.1.1 defined terms: upper-case letters and digits
    private static final Pattern MODALITY = Pattern.compile("[A-Z0-9]{1,16}");

    static Optional<PacsSettings> from(ConfigSource source) {
        Optional<URI> root = source.httpUrl(DICOMWEB_URL);
        Optional<DimseSettings> dimse = DimseSettings.from(source);
        if (root.isEmpty() && dimse.isEmpty()) {
            for (String key : List.of(MODALITIES, START, LOOKBACK, ACCESSION_FROM_EHR)) {
                if (source.get(key).isPresent()) {
                    throw new ConfigException(DICOMWEB_URL, "is required when " + key + " is set");
                }
            }
            return Optional.empty();
        }
        if (root.isEmpty() && !dimse.get().pull()) {
            throw new ConfigException(
                    DimseSettings.PULL,
                    "is false and "
                            + DICOMWEB_URL
                            + " is not set: the bridge would pull no images, and an SR can only be"
                            + " written back to the study of an image it pulled");
        }
        Set<String> modalities = new LinkedHashSet<>();
        for (String modality : source.get(MODALITIES).orElse("").split("[,\\s]+")) {
            if (modality.isBlank()) {
                continue;
            }
            if (!MODALITY.matcher(modality).matches()) {
                throw new ConfigException(
                        MODALITIES,
                        "'" + modality + "' is not a DICOM modality such as CT, MR, CR or DX");
            }
            modalities.add(modality);
        }
        String startRaw =
                source.required(
                        START,
                        "the oldest Study Date to pull (2024-01-01): a PACS holds years of studies");
        LocalDate start;
        try {
            start = LocalDate.parse(startRaw);
        } catch (DateTimeParseException e) {
            throw new ConfigException(START, "'" + startRaw + "' is not a date such as 2024-01-01");
        }
        Duration lookback =
                source.duration(
                        LOOKBACK, Duration.ofDays(7), Duration.ofDays(1), Duration.ofDays(366));
        ClientAuth auth =
                ClientAuth.from(
                        source,
                        AUTH_PREFIX,
                        new LinkedHashSet<>(List.of("none", "bearer", "basic")),
                        "system/ImagingStudy.rs");
        Duration poll =
                source.duration(
                        POLL_INTERVAL,
                        Duration.ofSeconds(60),
                        Duration.ofMillis(200),
                        Duration.ofDays(1));
        int pageSize = source.intValue(PAGE_SIZE, 100, 1, 1000);
        Duration connect =
                source.duration(
                        CONNECT_TIMEOUT,
                        Duration.ofSeconds(10),
                        Duration.ofMillis(100),
                        Duration.ofMinutes(5));
        Duration read =
                source.duration(
                        READ_TIMEOUT,
                        Duration.ofSeconds(120),
                        Duration.ofMillis(100),
                        Duration.ofMinutes(30));
        return Optional.of(
                new PacsSettings(
                        root.map(r -> URI.create(r.toString().replaceAll("/+$", ""))),
                        dimse,
                        Set.copyOf(modalities),
                        start,
                        lookback,
                        auth,
                        poll,
                        pageSize,
                        connect,
                        read,
                        source.booleanValue(ACCESSION_FROM_EHR, false)));
    }
}
