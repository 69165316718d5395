package org.quorum.deid.fhir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Quantity;

/**
 * The rule table of FHIR de-identification ({@code element-rules.tsv} beside this class): what
 * happens to each element, by path, extension url or datatype. Default deny: a primitive the table
 * does not name is removed, a complex value is walked element by element.
 */
final class FhirElementRules {

    /** What to do with one element. */
    enum Action {
        KEEP,
        TEXT,
        KNOWN,
        DATE,
        REMOVE,
        UID,
        NAME,
        TELECOM,
        ADDRESS,
        IDENTIFIER,
        REFERENCE,
        ATTACHMENT,
        NARRATIVE,
        AGE,
        META,
        DEVICE,
        GEOLOCATION,
        CONTAINED,
        WALK
    }

    /** A table row: the action and, for removals, the category counted. */
    record Rule(Action action, DeidCategory category) {}

    private static final String RESOURCE = "element-rules.tsv";
    private static final FhirElementRules STANDARD = load();

    private final Map<String, Rule> rules;

    private FhirElementRules(Map<String, Rule> rules) {
        this.rules = rules;
    }

    static FhirElementRules standard() {
        return STANDARD;
    }

    /** The rule for an extension, or {@code null} when its url has no row of its own. */
    Rule extension(String url) {
        return url == null ? null : rules.get("extension:" + url);
    }

    /**
     * The rule for {@code value}, the element {@code name} of {@code parent}: path first, then any
     * parent, then the value's datatype; default deny.
     */
    Rule of(Base parent, String name, Base value) {
        Rule rule = rules.get(parent.fhirType() + "." + name);
        if (rule == null && parent instanceof Quantity) {
            rule = rules.get("Quantity." + name);
        }
        if (rule == null) {
            rule = rules.get("*." + name);
        }
        if (rule == null) {
            rule = rules.get(value.fhirType());
        }
        if (rule == null) {
            rule =
                    value.isPrimitive()
                            ? new Rule(Action.REMOVE, DeidCategory.ELEMENT)
                            : new Rule(Action.WALK, null);
        }
        return rule;
    }

    private static FhirElementRules load() {
        Map<String, Rule> rules = new HashMap<>();
        try (InputStream in = FhirElementRules.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] columns = line.split("\t");
                if (columns.length < 2) {
                    throw new IllegalStateException(RESOURCE + " line " + number + ": no action");
                }
                Action action = Action.valueOf(columns[1].strip().toUpperCase(Locale.ROOT));
                DeidCategory category = null;
                if (action == Action.REMOVE) {
                    category =
                            columns.length > 2 && columns[2].contains("EXTENSION")
                                    ? DeidCategory.EXTENSION
                                    : DeidCategory.ELEMENT;
                }
                rules.put(columns[0].strip(), new Rule(action, category));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + RESOURCE, e);
        }
        return new FhirElementRules(Map.copyOf(rules));
    }
}
