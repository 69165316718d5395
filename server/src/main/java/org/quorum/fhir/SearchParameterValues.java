package org.quorum.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.SearchTotalModeEnum;
import ca.uhn.fhir.rest.api.SummaryEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.BaseParam;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.NumberParam;
import ca.uhn.fhir.rest.param.QuantityParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;

/**
 * Checks search and history parameter values before HAPI binds them, and answers 400 naming each
 * bad parameter and the form it takes. HAPI turns some of these into a 500 (a date, number or
 * quantity that does not parse, a negative {@code _offset}, a {@code near} without coordinates) and
 * silently ignores others (a negative {@code _count}, {@code :missing=maybe}, a composite value
 * without {@code $}). The same holds for the conditional URLs of transaction and batch entries
 * ({@code ifNoneExist}, conditional update and delete), which HAPI parses as searches. Values are
 * not quoted back: search values may be identifying.
 *
 * @see <a href="https://hl7.org/fhir/R4/search.html">FHIR R4 §3.1.1 Search</a>
 */
@Interceptor
public final class SearchParameterValues {

    private static final Set<RestOperationTypeEnum> SEARCHES =
            Set.of(RestOperationTypeEnum.SEARCH_TYPE, RestOperationTypeEnum.SEARCH_SYSTEM);
    private static final Set<RestOperationTypeEnum> HISTORIES =
            Set.of(
                    RestOperationTypeEnum.HISTORY_TYPE,
                    RestOperationTypeEnum.HISTORY_INSTANCE,
                    RestOperationTypeEnum.HISTORY_SYSTEM);
    private static final String DATE_FORM =
            "a date or dateTime (yyyy, yyyy-mm, yyyy-mm-dd or yyyy-mm-ddThh:mm:ss[.sss]+zz:zz),"
                    + " optionally after a prefix eq, ne, gt, lt, ge, le, sa, eb or ap";

    private final FhirContext fhir;
    private final ISearchParamRegistry registry;

    public SearchParameterValues(FhirContext fhir, ISearchParamRegistry registry) {
        this.fhir = fhir;
        this.registry = registry;
    }

    /**
     * Runs once HAPI knows the interaction and before it binds the parameters (binding happens
     * before {@code SERVER_INCOMING_REQUEST_PRE_HANDLED}); after authentication.
     */
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = 100)
    public void check(RequestDetails request) {
        RestOperationTypeEnum operation = request.getRestOperationType();
        boolean search = SEARCHES.contains(operation);
        boolean history = HISTORIES.contains(operation);
        if (!search && !history) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String[]> parameter : request.getParameters().entrySet()) {
            String name = parameter.getKey();
            for (String value : parameter.getValue()) {
                String problem = problem(request.getResourceName(), name, value, search, history);
                if (problem != null && !problems.contains(problem)) {
                    problems.add(problem);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(String.join("; ", problems));
        }
    }

    /**
     * Transaction and batch entries: each {@code request.url} names a resource type, and the
     * conditional URLs ({@code ifNoneExist}; {@code url} with a query for conditional update, patch
     * and delete) hold valid search values. Runs on the parsed Bundle before the access rules look
     * at its entries (an unknown type is the client's mistake, not a denial).
     */
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -200)
    public void checkEntries(RequestDetails request, RestOperationTypeEnum operation) {
        if ((operation != RestOperationTypeEnum.TRANSACTION
                        && operation != RestOperationTypeEnum.BATCH)
                || !(request.getResource() instanceof Bundle bundle)) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < bundle.getEntry().size(); i++) {
            Bundle.BundleEntryRequestComponent entry = bundle.getEntry().get(i).getRequest();
            String url = entry.getUrl() == null ? "" : entry.getUrl();
            String type = url.replaceFirst("[/?].*$", "");
            String where = "Bundle.entry[" + i + "].request";
            if (!type.isEmpty()
                    && !type.startsWith("$")
                    && !fhir.getResourceTypes().contains(type)) {
                problems.add(where + ".url: '" + type + "' is not a FHIR R4 resource type");
                continue;
            }
            if (url.contains("?")) {
                query(type, url.substring(url.indexOf('?') + 1), where + ".url", problems);
            }
            if (entry.hasIfNoneExist()) {
                String ifNoneExist = entry.getIfNoneExist();
                query(
                        type,
                        ifNoneExist.substring(ifNoneExist.indexOf('?') + 1),
                        where + ".ifNoneExist",
                        problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(String.join("; ", problems));
        }
    }

    private void query(String type, String query, String where, List<String> problems) {
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            String problem = problem(type.isEmpty() ? null : type, name, value, true, false);
            if (problem != null) {
                problems.add(where + ": " + problem);
            }
        }
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text; // HAPI answers a broken escape itself
        }
    }

    private String problem(
            String resourceType, String name, String value, boolean search, boolean history) {
        switch (name) {
            case "_count", "_offset":
                return nonNegativeInteger(value)
                        ? null
                        : invalid(name, "a whole number of 0 or more");
            case "_summary":
                return SummaryEnum.fromCode(value) != null
                        ? null
                        : invalid(name, "one of true, text, data, count, false");
            case "_total":
                return SearchTotalModeEnum.fromCode(value) != null
                        ? null
                        : invalid(name, "one of none, estimate, accurate");
            default:
                break;
        }
        if (history) {
            return switch (name) {
                case "_since" ->
                        instant(value)
                                ? null
                                : invalid(name, "an instant (yyyy-mm-ddThh:mm:ss[.sss]+zz:zz)");
                case "_at" ->
                        all(value, v -> parses(new DateParam(), name, v))
                                ? null
                                : invalid(name, DATE_FORM);
                default -> null;
            };
        }
        if (!search || name.startsWith("_has") || name.contains(".")) {
            return null; // reverse chains and chains: HAPI checks them against the target type
        }
        int colon = name.indexOf(':');
        String code = colon < 0 ? name : name.substring(0, colon);
        String modifier = colon < 0 ? null : name.substring(colon + 1);
        if ("missing".equals(modifier)) {
            return value.equals("true") || value.equals("false")
                    ? null
                    : invalid(name, "true or false");
        }
        if (modifier != null
                || resourceType == null
                || !fhir.getResourceTypes().contains(resourceType)) {
            return null;
        }
        if (code.equals("_lastUpdated")) {
            return all(value, v -> parses(new DateParam(), name, v))
                    ? null
                    : invalid(name, DATE_FORM);
        }
        RuntimeSearchParam definition = registry.getActiveSearchParam(resourceType, code);
        if (definition == null) {
            return null; // HAPI answers unknown parameters with the list of known ones
        }
        return switch (definition.getParamType()) {
            case DATE ->
                    all(value, v -> parses(new DateParam(), name, v))
                            ? null
                            : invalid(name, DATE_FORM);
            case NUMBER ->
                    all(value, this::number)
                            ? null
                            : invalid(
                                    name,
                                    "a number, optionally after a prefix eq, ne, gt, lt, ge, le, sa, eb or ap");
            case QUANTITY ->
                    all(value, v -> parses(new QuantityParam(), name, v))
                            ? null
                            : invalid(
                                    name,
                                    "[prefix]number|system|code, e.g. 5.4|http://unitsofmeasure.org|mg");
            case COMPOSITE ->
                    all(value, v -> v.contains("$"))
                            ? null
                            : invalid(name, "its components joined by $, e.g. code$value");
            case SPECIAL ->
                    code.equals("near") && !all(value, SearchParameterValues::near)
                            ? invalid(
                                    name,
                                    "latitude|longitude[|distance[|units]], e.g. 42.25|-83.7|10|km")
                            : null;
            default -> null;
        };
    }

    private static String invalid(String name, String form) {
        return "Invalid value of search parameter '" + name + "': expected " + form;
    }

    private static boolean all(String value, java.util.function.Predicate<String> valid) {
        // A comma separates the values of an OR list (FHIR R4 §3.1.1.4.2); \, is a literal comma.
        for (String part : value.split("(?<!\\\\),", -1)) {
            if (!valid.test(part)) {
                return false;
            }
        }
        return true;
    }

    private boolean parses(BaseParam param, String name, String value) {
        try {
            param.setValueAsQueryToken(fhir, name, null, value);
            return true;
        } catch (DataFormatException | IllegalArgumentException e) {
            return false;
        }
    }

    private boolean number(String value) {
        NumberParam param = new NumberParam();
        return parses(param, "number", value) && param.getValue() != null;
    }

    private static boolean nonNegativeInteger(String value) {
        try {
            return Integer.parseInt(value) >= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    // FHIR R4 history (http.html#history): _since is an instant; HAPI also takes a date.
    private static boolean instant(String value) {
        try {
            return new DateTimeType(value).getValue() != null;
        } catch (DataFormatException | IllegalArgumentException e) {
            return false;
        }
    }

    // FHIR R4 Location "near": latitude|longitude[|distance[|units]].
    private static boolean near(String value) {
        String[] parts = value.split("\\|", -1);
        if (parts.length < 2 || parts.length > 4) {
            return false;
        }
        try {
            BigDecimal latitude = new BigDecimal(parts[0]);
            BigDecimal longitude = new BigDecimal(parts[1]);
            if (latitude.abs().compareTo(BigDecimal.valueOf(90)) > 0
                    || longitude.abs().compareTo(BigDecimal.valueOf(180)) > 0) {
                return false;
            }
            if (parts.length > 2 && !parts[2].isEmpty()) {
                new BigDecimal(parts[2].replaceFirst("^(eq|ne|gt|lt|ge|le|sa|eb|ap)", ""));
            }
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
