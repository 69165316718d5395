package org.quorum.bridge.config;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.quorum.config.ConfigException;
import org.quorum.config.ConfigSource;

/**
 * The EHR's FHIR R4 server and the project's cohort: a list of FHIR search queries whose hits are
 * pulled, with the resources the labels need from each hit (the types in {@code follow}: the
 * patient, the encounter, the note's author ...), incrementally by {@code _lastUpdated}.
 *
 * @param queries relative search URLs such as {@code
 *     DocumentReference?type=http://loinc.org|11506-3}
 * @param follow resource types whose references are fetched and delivered with each hit; references
 *     to other types are removed from the delivered copy
 * @param overlap how far before the watermark each poll starts again (clock skew and transactions
 *     that commit late at the EHR)
 * @param start the initial watermark, when the backfill should not start at the beginning
 */
public record EhrSettings(
        URI fhirBase,
        List<String> queries,
        Set<String> follow,
        ClientAuth auth,
        Duration pollInterval,
        Duration overlap,
        Optional<Instant> start,
        int pageSize,
        Duration connectTimeout,
        Duration readTimeout) {

    public static final String URL = "QUORUM_BRIDGE_EHR_URL";
    public static final String QUERIES = "QUORUM_BRIDGE_EHR_QUERIES";
    public static final String FOLLOW = "QUORUM_BRIDGE_EHR_FOLLOW";
    public static final String POLL_INTERVAL = "QUORUM_BRIDGE_EHR_POLL_INTERVAL";
    public static final String OVERLAP = "QUORUM_BRIDGE_EHR_OVERLAP";
    public static final String START = "QUORUM_BRIDGE_EHR_START";
    public static final String PAGE_SIZE = "QUORUM_BRIDGE_EHR_PAGE_SIZE";
    public static final String CONNECT_TIMEOUT = "QUORUM_BRIDGE_EHR_CONNECT_TIMEOUT";
    public static final String READ_TIMEOUT = "QUORUM_BRIDGE_EHR_READ_TIMEOUT";
    static final String AUTH_PREFIX = "QUORUM_BRIDGE_EHR_";
    static final Set<String> KEYS;

    static {
        Set<String> keys =
                new HashSet<>(
                        Set.of(
                                URL,
                                QUERIES,
                                FOLLOW,
                                POLL_INTERVAL,
                                OVERLAP,
                                START,
                                PAGE_SIZE,
                                CONNECT_TIMEOUT,
                                READ_TIMEOUT));
        keys.addAll(ClientAuth.keys(AUTH_PREFIX));
        KEYS = Set.copyOf(keys);
    }

    /** What the labels need by default: who, which visit, who wrote it, where. */
    public static final List<String> DEFAULT_FOLLOW =
            List.of(
                    "Patient",
                    "Encounter",
                    "Practitioner",
                    "PractitionerRole",
                    "Organization",
                    "Location");

    private static final Pattern QUERY = Pattern.compile("[A-Z][A-Za-z]{1,63}(\\?\\S*)?");
    private static final Pattern TYPE = Pattern.compile("[A-Z][A-Za-z]{1,63}");

    /** Parameters the bridge sets itself on every query. */
    private static final Set<String> RESERVED = Set.of("_lastUpdated", "_sort", "_count");

    static Optional<EhrSettings> from(ConfigSource source) {
        Optional<URI> base = source.httpUrl(URL);
        if (base.isEmpty()) {
            for (String key : List.of(QUERIES, FOLLOW, START)) {
                if (source.get(key).isPresent()) {
                    throw new ConfigException(URL, "is required when " + key + " is set");
                }
            }
            return Optional.empty();
        }
        String raw =
                source.required(
                        QUERIES,
                        "the cohort: FHIR search queries separated by white space, e.g."
                                + " DocumentReference?type=http://loinc.org|11506-3");
        List<String> queries = new ArrayList<>();
        for (String query : raw.trim().split("\\s+")) {
            if (!QUERY.matcher(query).matches()) {
                throw new ConfigException(
                        QUERIES,
                        "'"
                                + query
                                + "' is not a relative FHIR search such as"
                                + " DiagnosticReport?category=RAD");
            }
            for (String reserved : RESERVED) {
                if (query.contains("?" + reserved + "=") || query.contains("&" + reserved + "=")) {
                    throw new ConfigException(
                            QUERIES,
                            "'"
                                    + query
                                    + "' sets "
                                    + reserved
                                    + ", which the bridge sets itself (incremental pull by"
                                    + " _lastUpdated)");
                }
            }
            queries.add(query);
        }
        Set<String> follow = new LinkedHashSet<>();
        String followRaw = source.get(FOLLOW).orElse(String.join(",", DEFAULT_FOLLOW));
        for (String type : followRaw.split("[,\\s]+")) {
            if (type.isBlank()) {
                continue;
            }
            if (!TYPE.matcher(type).matches()) {
                throw new ConfigException(
                        FOLLOW, "'" + type + "' is not a FHIR resource type such as Encounter");
            }
            follow.add(type);
        }
        ClientAuth auth =
                ClientAuth.from(
                        source,
                        AUTH_PREFIX,
                        new LinkedHashSet<>(List.of("none", "smart", "bearer", "basic")),
                        "system/*.rs");
        Duration poll =
                source.duration(
                        POLL_INTERVAL,
                        Duration.ofSeconds(60),
                        Duration.ofMillis(200),
                        Duration.ofDays(1));
        Duration overlap =
                source.duration(OVERLAP, Duration.ofMinutes(5), Duration.ZERO, Duration.ofDays(7));
        Optional<Instant> start = source.get(START).map(value -> parseInstant(START, value));
        int pageSize = source.intValue(PAGE_SIZE, 50, 1, 1000);
        Duration connect =
                source.duration(
                        CONNECT_TIMEOUT,
                        Duration.ofSeconds(10),
                        Duration.ofMillis(100),
                        Duration.ofMinutes(5));
        Duration read =
                source.duration(
                        READ_TIMEOUT,
                        Duration.ofSeconds(60),
                        Duration.ofMillis(100),
                        Duration.ofMinutes(30));
        return Optional.of(
                new EhrSettings(
                        base.get(),
                        List.copyOf(queries),
                        Set.copyOf(follow),
                        auth,
                        poll,
                        overlap,
                        start,
                        pageSize,
                        connect,
                        read));
    }

    static Instant parseInstant(String key, String value) {
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new ConfigException(
                    key,
                    "'"
                            + value
                            + "' is not a date (2024-01-01) or a date-time with an offset"
                            + " (2024-01-01T00:00:00Z)");
        }
    }
}
