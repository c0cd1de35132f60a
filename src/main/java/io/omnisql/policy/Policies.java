package io.omnisql.policy;

import java.util.Map;

/**
 * The compiled {@code policies:} section of one configuration version. {@code tables} holds each table's effective
 * policy: its own entry merged with the rules of the tags it carries. Tables without any rule get no row filters
 * or column rules, and are readable only when {@code defaultAllow} (absent {@code default_access} means deny).
 */
record Policies(long version, boolean defaultAllow, Map<String, TablePolicy> tables) {
    Policies {
        tables = Map.copyOf(tables);
    }

    TablePolicy table(String name) {
        TablePolicy t = tables.get(name);
        return t != null ? t : TablePolicy.open(name);
    }
}
