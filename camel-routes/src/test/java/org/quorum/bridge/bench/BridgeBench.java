package org.quorum.bridge.bench;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.quorum.bridge.BridgeApp;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.Ehr;
import org.quorum.bridge.testing.Quorum;

/**
 * End-to-end throughput of the bridge (EHR → de-identification → Quorum) next to Quorum's raw
 * transaction ingest of the same de-identified resources, in one run:
 *
 * <ol>
 *   <li>Quorum A (packaged jar, fresh data directory), the EHR loaded with the Synthea sample;
 *   <li>the bridge, in this JVM, backfills every DocumentReference (with Patient, Encounter,
 *       Practitioner, Organization, Location) into A: resources written / wall time from start to
 *       caught up;
 *   <li>the resources A then holds for the project are read back and posted to Quorum B (a second
 *       fresh server) as transaction Bundles of the bridge's average size, one at a time as the
 *       bridge sends them: resources / wall time.
 * </ol>
 *
 * Run by {@code conformance/bench/bridge-bench.sh}.
 */
public final class BridgeBench {

    private BridgeBench() {}

    public static void main(String[] args) throws Exception {
        String query = args.length > 0 ? args[0] : "DocumentReference";
        Ehr ehr = Ehr.shared();
        Quorum a = Quorum.startNew();
        String project = "bench";
        BridgeConfig config =
                BridgeConfig.forProject(project, a)
                        .set("QUORUM_BRIDGE_EHR_URL", ehr.fhirBase())
                        .set("QUORUM_BRIDGE_EHR_QUERIES", query)
                        .set(
                                "QUORUM_BRIDGE_EHR_PAGE_SIZE",
                                Integer.getInteger("quorum.ehr.pagesize", 10).toString())
                        .set("QUORUM_BRIDGE_EHR_POLL_INTERVAL", "1h");
        int notes = (int) ehr.all("DocumentReference").stream().count();
        DefaultCamelContext camel = new DefaultCamelContext();
        NotifyBuilder caughtUp =
                new NotifyBuilder(camel).fromRoute("ehr-1").whenCompleted(1).create();
        Instant start = Instant.now();
        double bridgeSeconds;
        long written;
        long transactions;
        String stages;
        try (BridgeApp bridge = BridgeApp.start(config.settings(), Clock.systemUTC(), camel)) {
            if (!caughtUp.matches(60, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the bridge did not catch up within 60 minutes");
            }
            // from the start of the poll (the routes start once the bridge has loaded its
            // dictionaries) to the moment it caught up with the EHR
            Instant pollStart = bridge.status("ehr-1").lastCaughtUp().orElse(start);
            bridgeSeconds = Duration.between(pollStart, Instant.now()).toMillis() / 1000.0;
            String metrics = bridge.metrics().scrape();
            written =
                    (long)
                            value(
                                    metrics,
                                    "quorum_bridge_written_resources_total\\{route=\"ehr-1\"\\}");
            transactions =
                    (long)
                            value(
                                    metrics,
                                    "quorum_bridge_stage_seconds_count\\{stage=\"quorum\"\\}");
            stages =
                    String.format(
                            Locale.ROOT,
                            "ehr %.1f s, de-identification %.1f s, Quorum %.1f s, bridge database %.1f s",
                            value(metrics, "quorum_bridge_stage_seconds_sum\\{stage=\"ehr\"\\}"),
                            value(metrics, "quorum_bridge_stage_seconds_sum\\{stage=\"deid\"\\}"),
                            value(metrics, "quorum_bridge_stage_seconds_sum\\{stage=\"quorum\"\\}"),
                            value(metrics, "quorum_bridge_stage_seconds_sum\\{stage=\"store\"\\}"));
        }
        int delivered = a.count("DocumentReference", project);
        List<Resource> resources = new ArrayList<>();
        for (String type :
                List.of(
                        "Organization",
                        "Location",
                        "Practitioner",
                        "PractitionerRole",
                        "Patient",
                        "Encounter",
                        "DocumentReference",
                        "Provenance")) {
            resources.addAll(a.all(type, project));
        }
        a.stop();

        Quorum b = Quorum.startNew();
        int size = (int) Math.max(1, Math.round((double) written / Math.max(1, transactions)));
        IGenericClient client = b.admin();
        Instant rawStart = Instant.now();
        for (int i = 0; i < resources.size(); i += size) {
            Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
            for (Resource resource : resources.subList(i, Math.min(resources.size(), i + size))) {
                Resource copy = resource.copy();
                copy.getMeta().setVersionId(null).setLastUpdatedElement(null);
                String id = copy.fhirType() + "/" + copy.getIdElement().getIdPart();
                copy.setId(copy.getIdElement().getIdPart());
                transaction
                        .addEntry()
                        .setResource(copy)
                        .getRequest()
                        .setMethod(Bundle.HTTPVerb.PUT)
                        .setUrl(id);
            }
            client.transaction().withBundle(transaction).execute();
        }
        double rawSeconds = Duration.between(rawStart, Instant.now()).toMillis() / 1000.0;
        int rawNotes = b.count("DocumentReference", project);
        b.stop();

        double bridgeRate = written / bridgeSeconds;
        double rawRate = resources.size() / rawSeconds;
        System.out.printf(
                Locale.ROOT,
                "data: testdata/synthea-10pt, cohort %s (%d notes in the EHR), EHR page size %d%n",
                query,
                notes,
                Integer.getInteger("quorum.ehr.pagesize", 10));
        System.out.printf(
                Locale.ROOT,
                "bridge end to end: %d notes, %d resources written (with Provenances) in %d transactions, %.1f s: %.1f resources/s (%s)%n",
                delivered,
                written,
                transactions,
                bridgeSeconds,
                bridgeRate,
                stages);
        System.out.printf(
                Locale.ROOT,
                "Quorum raw transaction ingest of the same %d de-identified resources (%d notes), %d a transaction: %.1f s: %.1f resources/s%n",
                resources.size(),
                rawNotes,
                size,
                rawSeconds,
                rawRate);
        System.out.printf(Locale.ROOT, "ratio bridge / raw: %.2f%n", bridgeRate / rawRate);
        System.exit(0);
    }

    private static double value(String metrics, String name) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.eE+-]+)$").matcher(metrics);
        if (!m.find()) {
            throw new IOException("metric " + name + " missing");
        }
        return Double.parseDouble(m.group(1));
    }

    @SuppressWarnings("unused")
    private static Comparator<Resource> byType() {
        return Comparator.comparing(Resource::fhirType);
    }
}
