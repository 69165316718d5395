package org.quorum.security.cli;

import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.quorum.security.ClientRegistry;
import org.quorum.security.UserRegistry;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.TypeConversionException;

/** What the security commands share: error output, exit codes, checks across registries. */
final class Cli {

    /** Invalid input, conflicts with existing entries: one line {@code error: ...} on stderr. */
    static final int EXIT_INVALID_INPUT = CommandLine.ExitCode.USAGE;

    /** Files that cannot be read or written. */
    static final int EXIT_IO_ERROR = CommandLine.ExitCode.SOFTWARE;

    private Cli() {}

    static int fail(CommandSpec spec, int exitCode, String message) {
        spec.commandLine().getErr().println("error: " + message);
        spec.commandLine().getErr().flush();
        return exitCode;
    }

    static int ioFailure(CommandSpec spec, IOException e) {
        return fail(spec, EXIT_IO_ERROR, e.getMessage() == null ? e.toString() : e.getMessage());
    }

    /**
     * RFC 9068 §5: the authorization server "should prevent" a user subject that equals a client
     * id, since both become a token's {@code sub}.
     */
    static boolean nameTakenByClient(ClientRegistry clients, String name) {
        return clients.find(name).isPresent();
    }

    static boolean idTakenByUser(UserRegistry users, String id) {
        return users.find(id).isPresent();
    }

    /** Durations as {@code 90s}, {@code 15m}, {@code 8h} or ISO-8601 ({@code PT1H30M}). */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                if (v.matches("\\d{1,6}[smh]")) {
                    long n = Long.parseLong(v.substring(0, v.length() - 1));
                    switch (v.charAt(v.length() - 1)) {
                        case 's':
                            return Duration.ofSeconds(n);
                        case 'm':
                            return Duration.ofMinutes(n);
                        default:
                            return Duration.ofHours(n);
                    }
                }
                return Duration.parse(value.trim());
            } catch (DateTimeParseException e) {
                throw new TypeConversionException(
                        "'" + value + "' is not a duration such as 30m, 8h or PT1H30M");
            }
        }
    }
}
