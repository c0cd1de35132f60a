package io.omnisql.policy;

import java.util.Map;

/**
 * The compiled {@code policies:} section of one configuration version. Tables without an entry get no row
 * filters or column rules, and are readable when {@code defaultAllow}.
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
