package org.quorum.security;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A person (or script) known to Quorum's own authorization server.
 *
 * @param name the user name, also the {@code sub} of the user's tokens
 * @param roles at least one role
 * @param projects ids of the annotation projects the user is a member of
 * @param fhirUser the FHIR resource representing the user, e.g. {@code PractitionerRole/123}
 * @param password the password hash; empty for users who get tokens from the CLI only
 */
public record User(
        String name,
        Set<Role> roles,
        Set<String> projects,
        Optional<String> fhirUser,
        Optional<PasswordHash> password) {

    /**
     * The most a user's token can carry: user-level clinical scopes and {@code fhirUser}. What a
     * user may actually do is decided by roles and project membership; {@code system/} scopes
     * belong to backend services and {@code patient/} scopes need a launch context Quorum does not
     * provide.
     */
    public static final ScopeSet SCOPE_CEILING = ScopeSet.parse("user/*.cruds fhirUser");

    /** What a user's token gets when no scope is requested. */
    public static final ScopeSet DEFAULT_SCOPE = SCOPE_CEILING;

    public User {
        Identifiers.checkName(name, "user name");
        roles = Set.copyOf(Objects.requireNonNull(roles, "roles"));
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("user '" + name + "' needs at least one role");
        }
        projects = Identifiers.checkProjects(Objects.requireNonNull(projects, "projects"));
        Objects.requireNonNull(fhirUser, "fhirUser").ifPresent(Identifiers::checkFhirUser);
        Objects.requireNonNull(password, "password");
    }

    /** A user without a password. */
    public static User of(String name, Set<Role> roles, Set<String> projects) {
        return new User(name, roles, projects, Optional.empty(), Optional.empty());
    }

    public User withPassword(PasswordHash hash) {
        return new User(name, roles, projects, fhirUser, Optional.of(hash));
    }

    public User withFhirUser(String reference) {
        return new User(name, roles, projects, Optional.of(reference), password);
    }

    @Override
    public String toString() {
        return "User[name="
                + name
                + ", roles="
                + roles
                + ", projects="
                + projects
                + ", fhirUser="
                + fhirUser.orElse("-")
                + ", password="
                + (password.isPresent() ? "set" : "none")
                + "]";
    }
}
