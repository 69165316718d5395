package org.quorum.bridge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.quorum.bridge.config.StoreSettings;
import org.quorum.bridge.routes.BridgeRoutes;
import org.quorum.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code quorum bridge status}: the routes of a running bridge, or what its database holds. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description =
                "Shows the bridge's routes (state, progress, lag), its dead letters and inbox.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand BridgeCommand parent;

    @Override
    public Integer call() throws IOException {
        StoreSettings store;
        try {
            store = LocalStore.settings(parent);
        } catch (ConfigException e) {
            System.err.println("invalid configuration " + e.getMessage());
            return BridgeCommand.EXIT_BAD_CONFIGURATION;
        }
        Optional<AdminClient> running = AdminClient.of(store.dataDir());
        if (running.isPresent()) {
            HttpResponse<String> response = running.get().get("/status");
            JsonNode status = new ObjectMapper().readTree(response.body());
            System.out.println("bridge: running at " + running.get().base());
            for (JsonNode route : status.path("routes")) {
                System.out.printf(
                        "%-16s %-8s lag %ds  %s%n",
                        route.path("route").asText(),
                        route.path("state").asText(),
                        route.path("lagSeconds").asLong(),
                        route.path("source").asText());
                if (!route.path("progress").isNull() && !route.path("progress").isMissingNode()) {
                    System.out.println("                 " + route.path("progress").asText());
                }
                if (route.hasNonNull("lastError")) {
                    System.out.println(
                            "                 last error: " + route.path("lastError").asText());
                }
            }
            if (status.has("hl7Inbox")) {
                System.out.println("hl7 inbox: " + status.path("hl7Inbox").asLong() + " waiting");
            }
            System.out.println("dead letters: " + status.path("deadLetters").asLong());
            System.out.println("crosswalk entries: " + status.path("crosswalkEntries").asLong());
            return 0;
        }
        try (LocalStore local = new LocalStore(store)) {
            System.out.println("bridge: not running (data in " + store.dataDir() + ")");
            local.watermarks
                    .all()
                    .forEach(
                            (route, mark) ->
                                    System.out.printf("%-16s watermark %s%n", route, mark));
            System.out.println(
                    "hl7 inbox: " + local.inbox.size(BridgeRoutes.HL7_ROUTE) + " waiting");
            System.out.println("dead letters: " + local.deadLetters.count());
        }
        return 0;
    }
}
