package org.quorum.bridge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.quorum.bridge.config.StoreSettings;
import org.quorum.bridge.store.Quarantine;
import org.quorum.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code quorum bridge quarantine list}: the DICOM instances the bridge keeps because their pixels
 * may show text, through the running bridge when it answers, else from its database. Only
 * pseudonymous UIDs, the SOP class, the modality and the reason are shown.
 */
@Command(
        name = "quarantine",
        mixinStandardHelpOptions = true,
        description =
                "Lists DICOM instances held back because their pixels may show text, and releases"
                        + " one a person has checked.",
        subcommands = {QuarantineCommand.ListCommand.class, QuarantineCommand.ReleaseCommand.class})
final class QuarantineCommand {

    @ParentCommand BridgeCommand parent;

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Lists quarantined instances.")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand QuarantineCommand quarantine;

        @Override
        public Integer call() throws IOException {
            StoreSettings store;
            try {
                store = LocalStore.settings(quarantine.parent);
            } catch (ConfigException e) {
                System.err.println("invalid configuration " + e.getMessage());
                return BridgeCommand.EXIT_BAD_CONFIGURATION;
            }
            Optional<AdminClient> running = AdminClient.of(store.dataDir());
            header();
            int count = 0;
            if (running.isPresent()) {
                HttpResponse<String> response = running.get().get("/admin/quarantine");
                if (response.statusCode() != 200) {
                    System.err.println(
                            "the bridge answered "
                                    + response.statusCode()
                                    + ": "
                                    + response.body());
                    return 1;
                }
                for (JsonNode entry : new ObjectMapper().readTree(response.body())) {
                    row(
                            entry.path("id").asLong(),
                            entry.path("route").asText(),
                            entry.path("quarantinedAt").asText(),
                            entry.path("modality").asText(),
                            entry.path("sopClass").asText(),
                            entry.path("studyPseudonym").asText(),
                            entry.path("sopPseudonym").asText(),
                            entry.path("reason").asText());
                    count++;
                }
            } else {
                try (LocalStore local = new LocalStore(store)) {
                    for (Quarantine.Entry entry : local.quarantine.list()) {
                        row(
                                entry.id(),
                                entry.route(),
                                entry.quarantinedAt().toString(),
                                entry.modality(),
                                entry.sopClass(),
                                entry.studyPseudonym(),
                                entry.sopPseudonym(),
                                entry.reason());
                        count++;
                    }
                }
            }
            System.out.println(count + " quarantined instance(s)");
            return 0;
        }

        private static void header() {
            System.out.printf(
                    "%-6s %-14s %-24s %-4s %s%n",
                    "ID", "ROUTE", "QUARANTINED", "MOD", "SOP CLASS / STUDY / INSTANCE / REASON");
        }

        private static void row(
                long id,
                String route,
                String at,
                String modality,
                String sopClass,
                String study,
                String sop,
                String reason) {
            System.out.printf("%-6d %-14s %-24s %-4s %s%n", id, route, at, modality, sopClass);
            System.out.printf("%-51s study %s%n", "", study);
            System.out.printf("%-51s instance %s%n", "", sop);
            System.out.printf("%-51s %s%n", "", reason);
        }
    }

    /**
     * {@code quorum bridge quarantine release <id>}: a person looked at the instance's pixels and
     * found no identifying text; the running bridge sends its de-identified copy to Quorum and
     * takes it out of the quarantine. Needs the running bridge (it holds the Quorum client).
     */
    @Command(
            name = "release",
            mixinStandardHelpOptions = true,
            description =
                    "Sends a quarantined instance to Quorum after a person checked its pixels (the"
                            + " bridge must be running).")
    static final class ReleaseCommand implements Callable<Integer> {
        @ParentCommand QuarantineCommand quarantine;

        @picocli.CommandLine.Parameters(
                index = "0",
                paramLabel = "ID",
                description = "the id shown by 'quarantine list'")
        long id;

        @Override
        public Integer call() throws IOException {
            StoreSettings store;
            try {
                store = LocalStore.settings(quarantine.parent);
            } catch (ConfigException e) {
                System.err.println("invalid configuration " + e.getMessage());
                return BridgeCommand.EXIT_BAD_CONFIGURATION;
            }
            Optional<AdminClient> running = AdminClient.of(store.dataDir());
            if (running.isEmpty()) {
                System.err.println(
                        "the bridge is not running: start it, then release the instance (the"
                                + " bridge sends it to Quorum)");
                return 1;
            }
            HttpResponse<String> response =
                    running.get().post("/admin/quarantine/" + id + "/release");
            if (response.statusCode() == 200) {
                System.out.println("instance " + id + " released and delivered to Quorum");
                return 0;
            }
            System.err.println(
                    "the bridge answered " + response.statusCode() + ": " + response.body());
            return 1;
        }
    }
}
