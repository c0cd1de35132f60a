package io.omnisql.policy;

import io.omnisql.config.Catalog.TableDef;
import java.util.Set;

/**
 * What a statement reads of one table, as a policy judges it: the columns it can observe (a superset: any
 * mention counts, {@code *} takes all; masks and hidden columns are reported for these) and those it names
 * explicitly (a denied one among them refuses the statement).
 */
public record TableRead(TableDef table, Set<String> columns, Set<String> mentioned) {
}
