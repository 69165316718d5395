package org.quorum.security.cli;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.quorum.config.ConfigSource;
import org.quorum.config.QuorumSettings;
import org.quorum.config.SecuritySettings;
import org.quorum.security.IssuerRecord;
import org.quorum.security.SecurityStore;
import picocli.CommandLine.Option;

/**
 * {@code --issuer} and {@code --audience} of tokens the CLI issues. They must be what the server
 * verifies: by default what the server on the same data directory recorded at its last start
 * ({@link IssuerRecord}), else what it would derive from the same configuration ({@code
 * QUORUM_CONFIG} file and {@code QUORUM_*} environment, see {@link
 * SecuritySettings#defaultIssuer}).
 */
public final class IssuerOptions {

    @Option(
            names = "--issuer",
            paramLabel = "<url>",
            description =
                    "Issuer (iss) of the token (default: what the server on the same data directory"
                            + " recorded at its last start, else as the server derives it:"
                            + " $QUORUM_AUTH_ISSUER, else $QUORUM_PUBLIC_BASE_URL, else"
                            + " http://127.0.0.1:$QUORUM_HTTP_PORT).")
    String issuer;

    @Option(
            names = "--audience",
            paramLabel = "<url>",
            description =
                    "Audience (aud) of the token (default: $QUORUM_AUTH_AUDIENCE or <issuer>/fhir).")
    String audience;

    private static Map<String, String> configuration() {
        return ConfigSource.load(System.getenv(), Optional.empty(), QuorumSettings.knownKeys())
                .asMap();
    }

    /** The issuer without trailing slashes, as the server writes it. */
    public String issuer(SecurityStore store) throws IOException {
        if (issuer != null) {
            return issuer.replaceAll("/+$", "");
        }
        return IssuerRecord.read(store)
                .map(IssuerRecord::issuer)
                .orElseGet(() -> SecuritySettings.defaultIssuer(configuration()));
    }

    public String audience(SecurityStore store) throws IOException {
        if (audience != null) {
            return audience;
        }
        if (issuer == null) {
            Optional<IssuerRecord> recorded = IssuerRecord.read(store);
            if (recorded.isPresent()) {
                return recorded.get().audience();
            }
        }
        return Optional.ofNullable(configuration().get(SecuritySettings.AUDIENCE))
                .filter(a -> !a.isBlank())
                .orElse(issuer(store) + "/fhir");
    }
}
