package io.omnisql.gateway;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.identity.Principal;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryRegistryTest {
    private final QueryRegistry registry = new QueryRegistry(() -> 60_000, 1L << 20);
    private final Principal alice = principal("alice");
    private final Principal bob = principal("bob");

    private static Principal principal(String subject) {
        return new Principal(subject, "web", Set.of("analyst"), Set.of(), Map.of());
    }

    @Test
    void aRunningSynchronousQueryIsListedAndFoundByItsOwnerOnlyThenLeavesWhenItEnds() {
        QueryHandle h = registry.register(alice, "SELECT 1", false);
        assertThat(registry.list(alice, false)).extracting(QueryHandle.View::id).containsExactly(h.id());
        assertThat(registry.list(bob, false)).isEmpty();
        assertThat(registry.list(bob, true)).extracting(QueryHandle.View::id).containsExactly(h.id());
        assertThat(registry.find(h.id(), alice, false)).isSameAs(h);
        assertThatThrownBy(() -> registry.find(h.id(), bob, false))
                .isInstanceOfSatisfying(QueryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));

        h.finish(null, null);
        registry.ended(h);
        assertThat(registry.list(alice, true)).isEmpty();
        assertThatThrownBy(() -> registry.find(h.id(), alice, false))
                .isInstanceOfSatisfying(QueryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void anEndedAsyncQueryStaysFindableForItsRetention() {
        QueryHandle h = registry.register(alice, "SELECT 1", true);
        h.finish(null, null);
        registry.ended(h);
        assertThat(registry.find(h.id(), alice, false)).isSameAs(h);
        assertThat(registry.list(alice, false)).extracting(QueryHandle.View::id).containsExactly(h.id());
    }

    @Test
    void idsAreDistinctAcrossSynchronousAndAsyncQueries() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            ids.add(registry.register(alice, "SELECT 1", i % 2 == 0).id());
        }
        assertThat(ids).hasSize(1_000).allSatisfy(id -> assertThat(id).matches("[0-9a-f]{32}"));
    }
}
