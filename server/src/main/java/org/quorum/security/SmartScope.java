package org.quorum.security;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMART on FHIR scope: either a clinical scope ({@code system/Observation.rs}) or one of the
 * non-clinical scopes Quorum keeps as they are ({@code openid}, {@code fhirUser}, {@code
 * offline_access}, {@code online_access}, {@code launch}, {@code launch/patient}, ...).
 *
 * <p>Clinical scopes are held in their SMART v2 form. SMART v1 scopes are accepted and converted as
 * SMART App Launch v2 §"Scopes for requesting clinical data" describes for v1 compatibility: {@code
 * .read} = {@code .rs}, {@code .write} = {@code .cud}, {@code .*} = {@code .cruds}.
 *
 * <p>Granular v2 scopes with a search restriction ({@code patient/Observation.rs?category=...}) are
 * refused rather than widened to the whole type: treating them as unrestricted would grant more
 * than the client asked for.
 *
 * @see <a href="https://hl7.org/fhir/smart-app-launch/STU2/scopes-and-launch-context.html">SMART
 *     App Launch v2, Scopes and Launch Context</a>
 */
public final class SmartScope {

    /** The context of a clinical scope: whose data it covers. */
    public enum Context {
        /** Data in the current patient's compartment (needs a patient in the launch context). */
        PATIENT("patient"),
        /** Data the signed-in user may see. */
        USER("user"),
        /** Data a backend system may see, with no user involved (SMART Backend Services). */
        SYSTEM("system");

        private final String prefix;

        Context(String prefix) {
            this.prefix = prefix;
        }

        /** The scope prefix before the slash. */
        public String prefix() {
            return prefix;
        }

        static Context fromPrefix(String prefix) {
            for (Context context : values()) {
                if (context.prefix.equals(prefix)) {
                    return context;
                }
            }
            throw new IllegalArgumentException(prefix);
        }
    }

    /** The wildcard resource type: every type. */
    public static final String ANY_TYPE = "*";

    private static final Pattern CLINICAL =
            Pattern.compile("(patient|user|system)/([A-Za-z]+|\\*)\\.([A-Za-z*]+)");
    // FHIR R4 resource type names: an upper-case letter, then letters (e.g. DocumentReference).
    private static final Pattern RESOURCE_TYPE = Pattern.compile("[A-Z][A-Za-z]{0,63}");
    private static final Pattern LAUNCH = Pattern.compile("launch(/[A-Za-z][A-Za-z0-9_-]{0,63})?");
    private static final Set<String> NON_CLINICAL =
            Set.of("openid", "fhirUser", "offline_access", "online_access");
    private static final int MAX_ECHO = 64;

    private final String value;
    private final Context context;
    private final String resourceType;
    private final Set<Operation> operations;

    private SmartScope(
            String value, Context context, String resourceType, Set<Operation> operations) {
        this.value = value;
        this.context = context;
        this.resourceType = resourceType;
        this.operations = operations;
    }

    /**
     * Parses one scope token.
     *
     * @throws InvalidScopeException saying what is wrong and what a valid scope looks like
     */
    public static SmartScope parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw new InvalidScopeException("empty scope");
        }
        if (NON_CLINICAL.contains(raw) || LAUNCH.matcher(raw).matches()) {
            return new SmartScope(raw, null, null, Set.of());
        }
        if (raw.indexOf('?') >= 0) {
            throw new InvalidScopeException(
                    "scope '"
                            + echo(raw)
                            + "' has a search restriction; granular scopes are not supported,"
                            + " request the whole type (e.g. system/Observation.rs)");
        }
        Matcher m = CLINICAL.matcher(raw);
        if (!m.matches()) {
            throw new InvalidScopeException(
                    "'"
                            + echo(raw)
                            + "' is not a SMART scope; expected patient|user|system/<ResourceType"
                            + " or *>.<permissions from c r u d s, in this order>, e.g."
                            + " system/Observation.rs, or openid, fhirUser, launch/...,"
                            + " offline_access");
        }
        String type = m.group(2);
        if (!type.equals(ANY_TYPE) && !RESOURCE_TYPE.matcher(type).matches()) {
            throw new InvalidScopeException(
                    "scope '"
                            + echo(raw)
                            + "' names '"
                            + echo(type)
                            + "', which is not a FHIR resource type (they start with an upper-case"
                            + " letter, e.g. Observation) or *");
        }
        Set<Operation> operations = permissions(m.group(3), raw);
        return clinical(Context.fromPrefix(m.group(1)), type, operations);
    }

    /**
     * A clinical scope in v2 form.
     *
     * @param resourceType a FHIR resource type name or {@link #ANY_TYPE}
     * @param operations at least one operation
     */
    public static SmartScope clinical(
            Context context, String resourceType, Set<Operation> operations) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(resourceType, "resourceType");
        if (!resourceType.equals(ANY_TYPE) && !RESOURCE_TYPE.matcher(resourceType).matches()) {
            throw new InvalidScopeException(
                    "'" + echo(resourceType) + "' is not a FHIR resource type or *");
        }
        if (operations.isEmpty()) {
            throw new InvalidScopeException("a clinical scope needs at least one permission");
        }
        EnumSet<Operation> ops = EnumSet.copyOf(operations);
        StringBuilder letters = new StringBuilder();
        for (Operation op : ops) {
            letters.append(op.letter());
        }
        String value = context.prefix() + "/" + resourceType + "." + letters;
        return new SmartScope(value, context, resourceType, Collections.unmodifiableSet(ops));
    }

    private static Set<Operation> permissions(String permissions, String raw) {
        // SMART v1 permission names, mapped as SMART v2 §"Scopes for requesting clinical data"
        // tabulates for backwards compatibility.
        switch (permissions) {
            case "read":
                return EnumSet.of(Operation.READ, Operation.SEARCH);
            case "write":
                return EnumSet.of(Operation.CREATE, Operation.UPDATE, Operation.DELETE);
            case "*":
                return EnumSet.allOf(Operation.class);
            default:
                break;
        }
        EnumSet<Operation> ops = EnumSet.noneOf(Operation.class);
        int next = 0; // index into Operation.values(): letters must come in c r u d s order
        Operation[] all = Operation.values();
        for (char letter : permissions.toCharArray()) {
            int found = -1;
            for (int i = next; i < all.length; i++) {
                if (all[i].letter() == letter) {
                    found = i;
                    break;
                }
            }
            if (found < 0) {
                throw new InvalidScopeException(
                        "scope '"
                                + echo(raw)
                                + "' has permissions '"
                                + echo(permissions)
                                + "'; use a subset of c r u d s in this order, each once (e.g."
                                + " rs, cruds), or v1 read, write, *");
            }
            ops.add(all[found]);
            next = found + 1;
        }
        return ops;
    }

    /** Parts of rejected input in messages are cut short: they come from the network. */
    static String echo(String raw) {
        String cut = raw.length() > MAX_ECHO ? raw.substring(0, MAX_ECHO) + "..." : raw;
        StringBuilder safe = new StringBuilder(cut.length());
        for (char c : cut.toCharArray()) {
            safe.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
        }
        return safe.toString();
    }

    /** Whether this is a clinical ({@code context/Type.perms}) scope. */
    public boolean isClinical() {
        return context != null;
    }

    /** The context of a clinical scope; empty for non-clinical scopes. */
    public Optional<Context> context() {
        return Optional.ofNullable(context);
    }

    /** The resource type of a clinical scope ({@code *} for all); empty for non-clinical ones. */
    public Optional<String> resourceType() {
        return Optional.ofNullable(resourceType);
    }

    /** The operations of a clinical scope; empty for non-clinical ones. */
    public Set<Operation> operations() {
        return operations;
    }

    /**
     * Whether this scope permits {@code op} on {@code resourceType}, in any context. Patient scopes
     * also restrict the data to one patient's compartment; that is the caller's to enforce.
     */
    public boolean allows(String resourceType, Operation op) {
        return isClinical()
                && (this.resourceType.equals(ANY_TYPE) || this.resourceType.equals(resourceType))
                && operations.contains(op);
    }

    /** The canonical scope string (v2 form for clinical scopes). */
    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SmartScope && ((SmartScope) o).value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
