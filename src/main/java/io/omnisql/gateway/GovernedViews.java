package io.omnisql.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.omnisql.plan.QueryPlan;
import io.omnisql.plan.StatementGuard;
import io.omnisql.plan.TableRef;
import io.omnisql.policy.Governance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds each table reference of a plan to a view of its own, named by the reference's placeholder: the plan's
 * template runs unchanged over these views (the statement text is never edited), and each view's body is
 * policy's rendering over the reference's source table, proven on its syntax tree to read that table alone.
 */
final class GovernedViews {
    /** Bodies already proven (the text names the source table, so a proof holds for that text forever). */
    private final Cache<String, Boolean> verified = Caffeine.newBuilder().executor(Runnable::run).maximumSize(10_000).build();

    /**
     * @param governance per reference, in plan order
     * @param loaded     per reference, the columns its source table holds
     * @param sources    per reference, the engine table holding its data
     * @return view name -> SELECT body, in plan order
     */
    Map<String, String> bind(QueryPlan plan, List<Governance> governance, List<Set<String>> loaded, List<String> sources) {
        Map<String, String> views = new LinkedHashMap<>();
        for (int i = 0; i < plan.refs().size(); i++) {
            TableRef ref = plan.refs().get(i);
            String body = governance.get(i).view(ref.table(), ref.columns(), loaded.get(i), sources.get(i));
            if (verified.getIfPresent(body) == null) {
                StatementGuard.verifyView(body, sources.get(i));
                verified.put(body, Boolean.TRUE);
            }
            views.put(ref.placeholder(), body);
        }
        return views;
    }
}
