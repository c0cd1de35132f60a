package io.omnisql.config;

import io.omnisql.gateway.QueryRequest;

/** A class of the config tier that uses the gateway tier: ArchitectureTest must report this arrow. Never used. */
public final class UpwardArrowFixture {
    private UpwardArrowFixture() {
    }

    static String sqlOf(QueryRequest request) {
        return request.sql();
    }
}
