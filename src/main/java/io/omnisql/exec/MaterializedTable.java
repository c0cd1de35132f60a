package io.omnisql.exec;

/** Source rows loaded into a table of the shared DuckDB database; {@code bytes} is an estimate for cache weighing. */
public record MaterializedTable(String name, long rows, long bytes) {
}
