package org.quorum.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Property;

/**
 * Refuses, with HTTP 422 and an OperationOutcome naming the element, a create or update that
 * carries a decimal the store cannot keep faithfully. FHIR R4 §2.24.0.1 lets a decimal be any size
 * ("the limits documented in XML Schema apply", which guarantee 18 digits); the store has limits of
 * its own, and without this check a value beyond them fails deep in indexing as a 500, or is stored
 * and then breaks every search that meets it:
 *
 * <ul>
 *   <li>magnitude below 10^17: HAPI's number index is DECIMAL(19,2) and its quantity index a double
 *       (1e999999 is "Infinite or NaN" there);
 *   <li>at most {@value #MAX_FRACTION_DIGITS} digits after the decimal point: the store writes
 *       decimals out in full, and 1e-999999 becomes a million-digit number that its own JSON reader
 *       then refuses (numbers of more than 1,000 characters).
 * </ul>
 *
 * Runs before storage, so nothing of a failing transaction is stored.
 *
 * @see <a href="https://hl7.org/fhir/R4/datatypes.html#decimal">FHIR R4 decimal</a>
 */
@Interceptor
public final class DecimalLimits {

    /** Exclusive upper bound of a decimal's magnitude. */
    public static final BigDecimal MAX_MAGNITUDE = BigDecimal.TEN.pow(17);

    /** Most digits after the decimal point. */
    public static final int MAX_FRACTION_DIGITS = 30;

    private final FhirContext fhir;

    public DecimalLimits(FhirContext fhir) {
        this.fhir = fhir;
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void created(IBaseResource resource) {
        check(resource);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void updated(IBaseResource previous, IBaseResource resource) {
        check(resource);
    }

    private void check(IBaseResource resource) {
        if (!(resource instanceof Base base)) {
            return;
        }
        List<String> violations = violations(base);
        if (violations.isEmpty()) {
            return;
        }
        OperationOutcome outcome = new OperationOutcome();
        for (String violation : violations) {
            String path = violation.substring(0, violation.indexOf(' '));
            outcome.addIssue()
                    .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                    .setCode(OperationOutcome.IssueType.VALUE)
                    .setDiagnostics(violation)
                    .addExpression(path);
        }
        outcome.addIssue()
                .setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
                .setCode(OperationOutcome.IssueType.INFORMATIONAL)
                .setDiagnostics(
                        "Nothing was stored. Quorum stores decimals below 1e17 in magnitude with at"
                                + " most "
                                + MAX_FRACTION_DIGITS
                                + " digits after the decimal point; use a unit that keeps the"
                                + " number in range (UCUM prefixes).");
        throw new UnprocessableEntityException(fhir, outcome);
    }

    /**
     * The decimals of a resource (contained resources and Bundle entries included) beyond the
     * limits, each as {@code "<path> <message>"}, e.g. {@code Observation.valueQuantity.value}.
     */
    public static List<String> violations(Base resource) {
        List<String> violations = new ArrayList<>();
        walk(resource, resource.fhirType(), violations);
        return violations;
    }

    private static void walk(Base element, String path, List<String> violations) {
        if (element instanceof DecimalType decimal) {
            BigDecimal value = decimal.getValue();
            if (value != null && !withinLimits(value)) {
                // The value is not quoted: a measurement may be identifying.
                violations.add(
                        path
                                + " is outside the decimals Quorum stores (magnitude below 1e17, at"
                                + " most "
                                + MAX_FRACTION_DIGITS
                                + " digits after the decimal point)");
            }
            return;
        }
        if (element.isPrimitive()) {
            return;
        }
        for (Property property : element.children()) {
            List<Base> values = property.getValues();
            for (int i = 0; i < values.size(); i++) {
                Base value = values.get(i);
                String name = property.getName();
                if (name.endsWith("[x]")) {
                    String type = value.fhirType();
                    name =
                            name.substring(0, name.length() - 3)
                                    + Character.toUpperCase(type.charAt(0))
                                    + type.substring(1);
                }
                String child =
                        path + "." + name + (property.getMaxCardinality() > 1 ? "[" + i + "]" : "");
                walk(value, child, violations);
            }
        }
    }

    static boolean withinLimits(BigDecimal value) {
        if (value.signum() == 0) {
            return true;
        }
        return value.abs().compareTo(MAX_MAGNITUDE) < 0
                && value.stripTrailingZeros().scale() <= MAX_FRACTION_DIGITS;
    }
}
