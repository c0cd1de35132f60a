package io.omnisql.connector;

import io.omnisql.config.Catalog.ColumnDef;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The benchmarks' door to the connector's package-private row extraction ({@code io.omnisql.bench.IngestBench}). */
public final class PageExtraction {
    private final JsonRows rows;

    public PageExtraction(List<ColumnDef> columns, Map<String, Map<String, String>> mappings) {
        this.rows = new JsonRows(columns, mappings);
    }

    /** The typed rows of one page, exactly as {@link HttpConnector} extracts them. */
    public List<Object[]> rows(byte[] page, String rowsPath) throws IOException {
        return rows.page(page, rowsPath, Set.of()).rows();
    }
}
