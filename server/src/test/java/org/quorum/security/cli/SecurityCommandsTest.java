package org.quorum.security.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.security.ClientAssertionVerifier;
import org.quorum.security.ClientRegistry;
import org.quorum.security.QuorumPrincipal;
import org.quorum.security.RegisteredClient;
import org.quorum.security.Role;
import org.quorum.security.SigningKeys;
import org.quorum.security.TokenVerifier;
import org.quorum.security.UserRegistry;
import picocli.CommandLine;

/** {@code quorum user ...} and {@code quorum client ...}, run in-process. */
class SecurityCommandsTest {

    @TempDir Path dataDir;

    record Run(int exitCode, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    /** Runs {@code args} under a root command holding {@code user} and {@code client}. */
    private Run run(String stdin, String... args) {
        @CommandLine.Command(
                name = "quorum",
                subcommands = {UserCommand.class, ClientCommand.class})
        class Root {}
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        CommandLine.IFactory factory =
                new CommandLine.IFactory() {
                    @Override
                    public <K> K create(Class<K> type) throws Exception {
                        if (type == UserAddCommand.class) {
                            return type.cast(new UserAddCommand(in));
                        }
                        return CommandLine.defaultFactory().create(type);
                    }
                };
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli =
                new CommandLine(new Root(), factory)
                        .setOut(new PrintWriter(out))
                        .setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private String dir() {
        return "--data-dir=" + dataDir;
    }

    @Test
    void user_add_stores_the_user_with_a_hashed_password_from_stdin() throws Exception {
        Run run =
                run(
                        "correct horse battery\n",
                        "user",
                        "add",
                        "alice",
                        dir(),
                        "--role",
                        "annotator,reviewer",
                        "--project",
                        "study-1",
                        "--fhir-user",
                        "PractitionerRole/123",
                        "--password-stdin");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("added user 'alice': roles annotator, reviewer; projects study-1")
                .contains("password set");
        UserRegistry users = new UserRegistry(dataDir);
        assertThat(users.find("alice").orElseThrow().roles())
                .containsExactlyInAnyOrder(Role.ANNOTATOR, Role.REVIEWER);
        assertThat(users.authenticate("alice", "correct horse battery".toCharArray())).isPresent();
        assertThat(Files.readString(Path.of(users.location()))).doesNotContain("correct horse");
    }

    @Test
    void user_add_refuses_duplicates_unknown_roles_and_short_passwords() {
        assertThat(run("", "user", "add", "bob", dir(), "--role", "auditor").exitCode()).isZero();

        Run duplicate = run("", "user", "add", "bob", dir(), "--role", "auditor");
        Run badRole = run("", "user", "add", "carol", dir(), "--role", "boss");
        Run shortPassword =
                run("abc\n", "user", "add", "dave", dir(), "--role", "auditor", "--password-stdin");

        assertThat(duplicate.exitCode()).isEqualTo(2);
        assertThat(duplicate.err()).startsWith("error: user 'bob' already exists");
        assertThat(badRole.exitCode()).isEqualTo(2);
        assertThat(badRole.err()).contains("unknown role 'boss'");
        assertThat(shortPassword.exitCode()).isEqualTo(2);
        assertThat(shortPassword.err()).contains("8 to 1024 characters").doesNotContain("abc");
    }

    @Test
    void user_token_prints_a_token_the_server_accepts_as_the_last_line() throws Exception {
        run("", "user", "add", "alice", dir(), "--role", "annotator", "--project", "study-1");

        Run run =
                run(
                        "",
                        "user",
                        "token",
                        "alice",
                        dir(),
                        "--issuer",
                        "https://quorum.test/",
                        "--scope",
                        "user/Observation.rs user/Task.cruds",
                        "--lifetime",
                        "8h");

        assertThat(run.exitCode()).as(run.err()).isZero();
        TokenVerifier server =
                new TokenVerifier(
                        SigningKeys.loadOrCreate(dataDir),
                        "https://quorum.test",
                        "https://quorum.test/fhir",
                        List.of(),
                        Clock.systemUTC());
        QuorumPrincipal principal = server.verify(run.lastLine());
        assertThat(principal.subject()).isEqualTo("alice");
        assertThat(principal.clientId()).isEqualTo(UserTokenCommand.CLIENT_ID);
        assertThat(principal.roles()).containsExactly(Role.ANNOTATOR);
        assertThat(principal.projectIds()).containsExactly("study-1");
        assertThat(principal.scopes()).hasToString("user/Observation.rs user/Task.cruds");
        assertThat(principal.expiresAt())
                .isBetween(
                        Instant.now().plus(Duration.ofHours(7)),
                        Instant.now().plus(Duration.ofHours(8)));
    }

    @Test
    void user_token_uses_the_default_issuer_and_audience() throws Exception {
        run("", "user", "add", "alice", dir(), "--role", "annotator");

        Run run = run("", "user", "token", "alice", dir());

        assertThat(run.exitCode()).as(run.err()).isZero();
        // The server's own derivation from the same environment (QUORUM_AUTH_ISSUER,
        // QUORUM_PUBLIC_BASE_URL, QUORUM_HTTP_PORT).
        String defaultIssuer = org.quorum.config.SecuritySettings.defaultIssuer(System.getenv());
        assertThat(
                        new TokenVerifier(
                                        SigningKeys.loadOrCreate(dataDir),
                                        defaultIssuer,
                                        defaultIssuer + "/fhir",
                                        List.of(),
                                        Clock.systemUTC())
                                .verify(run.lastLine())
                                .scopes())
                .hasToString("user/*.cruds fhirUser");
    }

    @Test
    void user_token_refuses_unknown_users_system_scopes_and_long_lifetimes() {
        run("", "user", "add", "alice", dir(), "--role", "annotator");

        Run unknown = run("", "user", "token", "nobody", dir());
        Run system = run("", "user", "token", "alice", dir(), "--scope", "system/*.rs");
        Run tooLong = run("", "user", "token", "alice", dir(), "--lifetime", "48h");

        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("no user 'nobody'").contains("quorum user add nobody");
        assertThat(system.exitCode()).isEqualTo(2);
        assertThat(system.err()).contains("users may have user/*.cruds fhirUser");
        assertThat(tooLong.exitCode()).isEqualTo(2);
        assertThat(tooLong.err()).contains("24 hours");
    }

    @Test
    void client_add_registers_public_keys_that_then_authenticate_the_client() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_384).keyID("k1").generate();
        Path jwksFile = dataDir.resolve("ehr-bridge.jwks.json");
        Files.writeString(jwksFile, new JWKSet(key.toPublicJWK()).toString(true));

        Run run =
                run(
                        "",
                        "client",
                        "add",
                        "ehr-bridge",
                        dir(),
                        "--jwks-file",
                        jwksFile.toString(),
                        "--scope",
                        "system/*.rs",
                        "--project",
                        "study-1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains(
                        "registered client 'ehr-bridge': keys k1; scope system/*.rs; roles integration");
        RegisteredClient client = new ClientRegistry(dataDir).find("ehr-bridge").orElseThrow();
        assertThat(client.roles()).containsExactly(Role.INTEGRATION);
        assertThat(client.projects()).containsExactly("study-1");

        String endpoint = "https://quorum.test/auth/token";
        SignedJWT assertion =
                new SignedJWT(
                        new JWSHeader.Builder(JWSAlgorithm.ES384)
                                .keyID("k1")
                                .type(JOSEObjectType.JWT)
                                .build(),
                        new JWTClaimsSet.Builder()
                                .issuer("ehr-bridge")
                                .subject("ehr-bridge")
                                .audience(endpoint)
                                .expirationTime(Date.from(Instant.now().plusSeconds(120)))
                                .jwtID(UUID.randomUUID().toString())
                                .build());
        assertion.sign(new ECDSASigner(key));
        assertThat(
                        new ClientAssertionVerifier(
                                        new ClientRegistry(dataDir), endpoint, Clock.systemUTC())
                                .verify(assertion.serialize(), Optional.empty())
                                .clientId())
                .isEqualTo("ehr-bridge");
    }

    @Test
    void client_add_refuses_private_keys_without_echoing_them() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_384).keyID("k1").generate();
        Path jwksFile = dataDir.resolve("private.json");
        Files.writeString(jwksFile, key.toJSONString());

        Run run =
                run(
                        "",
                        "client",
                        "add",
                        "leaky",
                        dir(),
                        "--jwks-file",
                        jwksFile.toString(),
                        "--scope",
                        "system/*.rs");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .contains("private key material")
                .doesNotContain(key.getD().toString());
        assertThat(new ClientRegistry(dataDir).find("leaky")).isEmpty();
    }

    @Test
    void user_names_and_client_ids_cannot_collide() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_384).keyID("k1").generate();
        Path jwksFile = dataDir.resolve("jwks.json");
        Files.writeString(jwksFile, new JWKSet(key.toPublicJWK()).toString(true));
        run("", "user", "add", "alice", dir(), "--role", "annotator");
        run(
                "",
                "client",
                "add",
                "bridge",
                dir(),
                "--jwks-file",
                jwksFile.toString(),
                "--scope",
                "system/*.rs");

        Run clientNamedLikeUser =
                run(
                        "",
                        "client",
                        "add",
                        "alice",
                        dir(),
                        "--jwks-file",
                        jwksFile.toString(),
                        "--scope",
                        "system/*.rs");
        Run userNamedLikeClient = run("", "user", "add", "bridge", dir(), "--role", "auditor");

        assertThat(clientNamedLikeUser.exitCode()).isEqualTo(2);
        assertThat(clientNamedLikeUser.err()).contains("is a user name");
        assertThat(userNamedLikeClient.exitCode()).isEqualTo(2);
        assertThat(userNamedLikeClient.err()).contains("is a registered client id");
    }

    @Test
    void a_group_command_alone_is_a_usage_error() {
        Run run = run("", "user");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("missing command");
    }
}
