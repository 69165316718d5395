package org.quorum.bridge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.quorum.bridge.config.StoreSettings;
import org.quorum.bridge.store.DeadLetterStore;
import org.quorum.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code quorum bridge dead-letters list|retry|drop}: through the running bridge when it answers,
 * else on its database directly (a retry asked for then is carried out at the next start). Payloads
 * (identified records) are never shown.
 */
@Command(
        name = "dead-letters",
        mixinStandardHelpOptions = true,
        description = "Lists, retries or drops records the bridge parked.",
        subcommands = {
            DeadLettersCommand.ListCommand.class,
            DeadLettersCommand.RetryCommand.class,
            DeadLettersCommand.DropCommand.class
        })
final class DeadLettersCommand {

    @ParentCommand BridgeCommand parent;

    abstract static class Sub implements Callable<Integer> {
        @ParentCommand DeadLettersCommand deadLetters;

        @Override
        public Integer call() throws IOException {
            StoreSettings store;
            try {
                store = LocalStore.settings(deadLetters.parent);
            } catch (ConfigException e) {
                System.err.println("invalid configuration " + e.getMessage());
                return BridgeCommand.EXIT_BAD_CONFIGURATION;
            }
            Optional<AdminClient> running = AdminClient.of(store.dataDir());
            if (running.isPresent()) {
                return remote(running.get());
            }
            try (LocalStore local = new LocalStore(store)) {
                return local(local.deadLetters);
            }
        }

        abstract int remote(AdminClient bridge) throws IOException;

        abstract int local(DeadLetterStore store);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists dead letters.")
    static final class ListCommand extends Sub {
        @Override
        int remote(AdminClient bridge) throws IOException {
            HttpResponse<String> response = bridge.get("/admin/dead-letters");
            if (response.statusCode() != 200) {
                System.err.println(
                        "the bridge answered " + response.statusCode() + ": " + response.body());
                return 1;
            }
            JsonNode letters = new ObjectMapper().readTree(response.body());
            header();
            for (JsonNode letter : letters) {
                row(
                        letter.path("id").asLong(),
                        letter.path("route").asText(),
                        letter.path("state").asText(),
                        letter.path("attempts").asInt(),
                        letter.path("lastFailedAt").asText(),
                        letter.path("sourceKey").asText(),
                        letter.path("reason").asText());
            }
            System.out.println(letters.size() + " dead letter(s)");
            return 0;
        }

        @Override
        int local(DeadLetterStore store) {
            List<DeadLetterStore.DeadLetter> letters = store.list();
            header();
            for (DeadLetterStore.DeadLetter letter : letters) {
                row(
                        letter.id(),
                        letter.route(),
                        letter.state().name(),
                        letter.attempts(),
                        letter.lastFailedAt().toString(),
                        letter.sourceKey(),
                        letter.reason());
            }
            System.out.println(letters.size() + " dead letter(s)");
            return 0;
        }

        private static void header() {
            System.out.printf(
                    "%-6s %-14s %-7s %-8s %-24s %s%n",
                    "ID", "ROUTE", "STATE", "ATTEMPTS", "LAST FAILED", "SOURCE / REASON");
        }

        private static void row(
                long id,
                String route,
                String state,
                int attempts,
                String last,
                String key,
                String reason) {
            System.out.printf(
                    "%-6d %-14s %-7s %-8d %-24s %s%n", id, route, state, attempts, last, key);
            System.out.printf("%-63s %s%n", "", reason);
        }
    }

    @Command(
            name = "retry",
            mixinStandardHelpOptions = true,
            description = "Asks the bridge to deliver dead letters again (one id, or --all).")
    static final class RetryCommand extends Sub {
        @Parameters(arity = "0..1", paramLabel = "ID")
        Long id;

        @Option(names = "--all", description = "Retry every parked dead letter.")
        boolean all;

        @Override
        public Integer call() throws IOException {
            if ((id == null) == !all) {
                System.err.println(
                        "give a dead letter's ID or --all (see 'quorum bridge dead-letters list')");
                return 2;
            }
            return super.call();
        }

        @Override
        int remote(AdminClient bridge) throws IOException {
            HttpResponse<String> response =
                    bridge.post(
                            all
                                    ? "/admin/dead-letters/retry"
                                    : "/admin/dead-letters/" + id + "/retry");
            if (response.statusCode() == 404) {
                System.err.println("no dead letter " + id);
                return 1;
            }
            JsonNode answer = new ObjectMapper().readTree(response.body());
            System.out.println(
                    answer.path("retryRequested").asInt()
                            + " dead letter(s) queued for a retry by the running bridge");
            return 0;
        }

        @Override
        int local(DeadLetterStore store) {
            int count;
            if (all) {
                count = store.requestRetryAll();
            } else if (store.requestRetry(id)) {
                count = 1;
            } else {
                System.err.println("no dead letter " + id);
                return 1;
            }
            System.out.println(
                    count + " dead letter(s) queued; the bridge retries them when it next starts");
            return 0;
        }
    }

    @Command(
            name = "drop",
            mixinStandardHelpOptions = true,
            description = "Deletes a dead letter and its payload for good.")
    static final class DropCommand extends Sub {
        @Parameters(paramLabel = "ID")
        long id;

        @Override
        int remote(AdminClient bridge) throws IOException {
            HttpResponse<String> response = bridge.delete("/admin/dead-letters/" + id);
            if (response.statusCode() == 404) {
                System.err.println("no dead letter " + id);
                return 1;
            }
            System.out.println("dropped dead letter " + id);
            return 0;
        }

        @Override
        int local(DeadLetterStore store) {
            if (!store.drop(id)) {
                System.err.println("no dead letter " + id);
                return 1;
            }
            System.out.println("dropped dead letter " + id);
            return 0;
        }
    }
}
