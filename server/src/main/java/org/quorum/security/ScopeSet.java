package org.quorum.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An immutable set of SMART scopes, as carried in an OAuth {@code scope} parameter or token claim
 * (RFC 6749 §3.3: space-delimited, order does not matter).
 *
 * <p>Clinical scopes with the same context and resource type are merged ({@code
 * system/Observation.r system/Observation.s} becomes {@code system/Observation.rs}), so the string
 * form is canonical.
 */
public final class ScopeSet {

    private static final ScopeSet EMPTY = new ScopeSet(List.of());

    private final List<SmartScope> scopes;

    private ScopeSet(List<SmartScope> scopes) {
        this.scopes = scopes;
    }

    /** No scope. */
    public static ScopeSet empty() {
        return EMPTY;
    }

    /**
     * Parses a space-delimited scope string; {@code null} or blank gives the empty set.
     *
     * @throws InvalidScopeException for the first scope that is not valid
     */
    public static ScopeSet parse(String scopes) {
        List<SmartScope> parsed = new ArrayList<>();
        for (String token : tokens(scopes)) {
            parsed.add(SmartScope.parse(token));
        }
        return of(parsed);
    }

    /**
     * Parses a scope string, dropping what Quorum does not understand. For tokens of external
     * identity providers, whose {@code scope} claim commonly holds {@code profile email} and
     * provider-specific scopes next to the SMART ones.
     */
    public static ScopeSet parseLenient(String scopes) {
        List<SmartScope> parsed = new ArrayList<>();
        for (String token : tokens(scopes)) {
            try {
                parsed.add(SmartScope.parse(token));
            } catch (InvalidScopeException ignored) {
                // Not a SMART scope: it grants nothing in Quorum.
            }
        }
        return of(parsed);
    }

    private static List<String> tokens(String scopes) {
        if (scopes == null || scopes.isBlank()) {
            return List.of();
        }
        return List.of(scopes.trim().split(" +"));
    }

    /** The set of these scopes, clinical ones with the same context and type merged. */
    public static ScopeSet of(Collection<SmartScope> scopes) {
        Map<String, SmartScope> nonClinical = new LinkedHashMap<>();
        Map<String, EnumSet<Operation>> clinical = new LinkedHashMap<>();
        Map<String, SmartScope> firstOfKey = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        for (SmartScope scope : scopes) {
            Objects.requireNonNull(scope, "scope");
            if (scope.isClinical()) {
                String key =
                        scope.context().orElseThrow() + "/" + scope.resourceType().orElseThrow();
                if (!clinical.containsKey(key)) {
                    clinical.put(key, EnumSet.noneOf(Operation.class));
                    firstOfKey.put(key, scope);
                    order.add(key);
                }
                clinical.get(key).addAll(scope.operations());
            } else if (!nonClinical.containsKey(scope.value())) {
                nonClinical.put(scope.value(), scope);
                order.add(scope.value());
            }
        }
        List<SmartScope> result = new ArrayList<>();
        for (String key : order) {
            if (clinical.containsKey(key)) {
                SmartScope first = firstOfKey.get(key);
                result.add(
                        SmartScope.clinical(
                                first.context().orElseThrow(),
                                first.resourceType().orElseThrow(),
                                clinical.get(key)));
            } else {
                result.add(nonClinical.get(key));
            }
        }
        return result.isEmpty() ? EMPTY : new ScopeSet(Collections.unmodifiableList(result));
    }

    /** The scopes, in the order first given. */
    public List<SmartScope> scopes() {
        return scopes;
    }

    public boolean isEmpty() {
        return scopes.isEmpty();
    }

    /** Whether the exact (canonical) scope string is in the set, e.g. {@code fhirUser}. */
    public boolean contains(String scope) {
        return scopes.stream().anyMatch(s -> s.value().equals(scope));
    }

    /**
     * Whether some clinical scope, of any context, permits {@code op} on {@code resourceType}.
     * Patient scopes also limit access to one patient's compartment, which the caller enforces.
     */
    public boolean allows(String resourceType, Operation op) {
        return scopes.stream().anyMatch(s -> s.allows(resourceType, op));
    }

    /** Whether a clinical scope of {@code context} permits {@code op} on {@code resourceType}. */
    public boolean allows(SmartScope.Context context, String resourceType, Operation op) {
        return scopes.stream()
                .anyMatch(s -> s.context().orElse(null) == context && s.allows(resourceType, op));
    }

    /**
     * What of this (requested) set {@code ceiling} allows: for a clinical scope, the operations
     * both grant on the narrower of the two resource types within the same context; a non-clinical
     * scope only when the ceiling holds it too. {@code system/*.rs} requested under a ceiling of
     * {@code system/Observation.cruds} gives {@code system/Observation.rs}. RFC 6749 §3.3 lets the
     * authorization server grant less than requested, telling the client in the response.
     */
    public ScopeSet intersect(ScopeSet ceiling) {
        List<SmartScope> granted = new ArrayList<>();
        for (SmartScope wanted : scopes) {
            if (!wanted.isClinical()) {
                if (ceiling.contains(wanted.value())) {
                    granted.add(wanted);
                }
                continue;
            }
            String wantedType = wanted.resourceType().orElseThrow();
            for (SmartScope allowed : ceiling.scopes) {
                if (!allowed.isClinical() || !allowed.context().equals(wanted.context())) {
                    continue;
                }
                String allowedType = allowed.resourceType().orElseThrow();
                String type;
                if (allowedType.equals(SmartScope.ANY_TYPE) || allowedType.equals(wantedType)) {
                    type = wantedType;
                } else if (wantedType.equals(SmartScope.ANY_TYPE)) {
                    type = allowedType;
                } else {
                    continue;
                }
                EnumSet<Operation> ops = EnumSet.copyOf(wanted.operations());
                ops.retainAll(allowed.operations());
                if (!ops.isEmpty()) {
                    granted.add(SmartScope.clinical(wanted.context().orElseThrow(), type, ops));
                }
            }
        }
        return of(granted);
    }

    /** The scope strings, e.g. to put into a JSON array. */
    public Set<String> values() {
        return scopes.stream()
                .map(SmartScope::value)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScopeSet
                && Set.copyOf(((ScopeSet) o).scopes).equals(Set.copyOf(scopes));
    }

    @Override
    public int hashCode() {
        return Set.copyOf(scopes).hashCode();
    }

    /** The space-delimited scope string (RFC 6749 §3.3). */
    @Override
    public String toString() {
        return String.join(" ", values());
    }
}
