package org.quorum.security;

import java.util.Objects;
import java.util.Set;

/**
 * Roles and project memberships granted locally to a subject of an external identity provider.
 *
 * @param roles Quorum roles
 * @param projects ids of the annotation projects the subject is a member of
 */
public record Membership(Set<Role> roles, Set<String> projects) {

    public Membership {
        roles = Set.copyOf(Objects.requireNonNull(roles, "roles"));
        projects = Set.copyOf(Objects.requireNonNull(projects, "projects"));
    }

    /** No role and no project. */
    public static Membership none() {
        return new Membership(Set.of(), Set.of());
    }
}
