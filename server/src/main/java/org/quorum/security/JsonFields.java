package org.quorum.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/** Field access for the registry codecs, with messages that name the field. */
final class JsonFields {

    private JsonFields() {}

    static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a non-empty string");
        }
        return value.asText();
    }

    static Optional<String> optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string");
        }
        return Optional.of(value.asText());
    }

    static Set<String> textSet(JsonNode node, String field) {
        JsonNode value = node.get(field);
        Set<String> result = new LinkedHashSet<>();
        if (value == null || value.isNull()) {
            return result;
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an array of strings");
        }
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("\"" + field + "\" must be an array of strings");
            }
            result.add(item.asText());
        }
        return result;
    }

    static Set<Role> roles(JsonNode node, String field) {
        Set<Role> roles = new LinkedHashSet<>();
        for (String name : textSet(node, field)) {
            roles.add(Role.parse(name));
        }
        return roles;
    }

    static void putSorted(ObjectNode node, String field, Collection<String> values) {
        ArrayNode array = node.putArray(field);
        values.stream().sorted().forEach(array::add);
    }

    static void putRoles(ObjectNode node, String field, Collection<Role> roles) {
        ArrayNode array = node.putArray(field);
        roles.stream().sorted().map(Role::wireName).forEach(array::add);
    }
}
