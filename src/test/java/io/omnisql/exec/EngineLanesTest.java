package io.omnisql.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngineLanesTest {
    /** A statement that runs until interrupted. */
    private static final String ENDLESS = "SELECT count(*) FROM range(100000000000) t(i) WHERE i < 0";
    private final Engine engine = new Engine(new Engine.Settings(1, "512MB", new Engine.Lanes(1, 100, 1_000, 1)));

    @AfterEach
    void close() {
        engine.close();
    }

    private static long in(long seconds) {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    }

    private CompletableFuture<QueryResult> background(String sql, Job job) {
        return CompletableFuture.supplyAsync(() -> engine.query(sql, in(20), 10, 1 << 20, job),
                r -> Thread.ofPlatform().daemon().start(r));
    }

    private void awaitLoad(Lane lane, int running, int queued) throws InterruptedException {
        long until = in(20);
        while (engine.load(lane).running() != running || engine.load(lane).queued() != queued) {
            assertThat(System.nanoTime()).as(lane + " load").isLessThan(until);
            Thread.sleep(5);
        }
    }

    @Test
    void aBigEstimateGoesToTheLongLaneAndLeavesTheShortLaneFree() throws Exception {
        Job big = new Job("heavy", "endless", List.of(100_000L, 100_000L), Job.Listener.NONE);
        CompletableFuture<QueryResult> first = background(ENDLESS, big);
        CompletableFuture<QueryResult> second = background(ENDLESS, big);
        awaitLoad(Lane.LONG, 1, 1);
        Lane[] lane = {null};
        QueryResult small = engine.query("SELECT 42", in(20), 10, 1 << 20,
                new Job("light", "small", List.of(10L), (l, queued) -> lane[0] = l));
        assertThat(small.rows().get(0)[0]).isEqualTo(42);
        assertThat(lane[0]).isEqualTo(Lane.SHORT);
        assertThat(first).isNotDone();
        first.cancel(true);
        second.cancel(true);
    }

    @Test
    void aShortStatementOutlivingItsBudgetMovesToTheLongLaneAndItsShapeStartsThereNextTime() throws Exception {
        Job mispredicted = new Job("t", "endless-shape", List.of(1L), Job.Listener.NONE);
        Thread runner = Thread.ofPlatform().daemon().start(() -> {
            try {
                engine.query(ENDLESS, in(20), 10, 1 << 20, mispredicted);
            } catch (QueryException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.QUERY_CANCELLED);
            }
        });
        awaitLoad(Lane.LONG, 1, 0);
        assertThat(engine.load(Lane.SHORT).running()).as("its short slot was freed").isZero();
        assertThat(engine.demotions()).isEqualTo(1);
        runner.interrupt(); // a cancel: the statement is interrupted and its slot freed
        runner.join();
        awaitLoad(Lane.LONG, 0, 0);

        Lane[] lane = {null};
        assertThatThrownBy(() -> engine.query(ENDLESS, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300), 10, 1 << 20,
                new Job("t", "endless-shape", List.of(1L), (l, q) -> lane[0] = l)))
                .isInstanceOf(QueryException.class).extracting(e -> ((QueryException) e).code()).isEqualTo(ErrorCode.QUERY_TIMEOUT);
        assertThat(lane[0]).as("history overrides the small estimate").isEqualTo(Lane.LONG);
        awaitLoad(Lane.LONG, 0, 0);
    }

    @Test
    void aStatementCancelledEarlyLeavesNoHistoryForItsShape() throws Exception {
        Lane[] lane = {null};
        Job big = new Job("t", "heavy-shape", List.of(100_000L, 100_000L), (l, q) -> lane[0] = l);
        Thread runner = Thread.ofPlatform().daemon().start(() -> {
            try {
                engine.query(ENDLESS, in(20), 10, 1 << 20, big);
            } catch (QueryException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.QUERY_CANCELLED);
            }
        });
        awaitLoad(Lane.LONG, 1, 0);
        runner.interrupt(); // cancelled at once: it ran for milliseconds
        runner.join();
        awaitLoad(Lane.LONG, 0, 0);
        // Had the few milliseconds it ran been remembered, the shape would now start in the short lane.
        assertThatThrownBy(() -> engine.query(ENDLESS, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200), 10, 1 << 20, big))
                .isInstanceOf(QueryException.class);
        assertThat(lane[0]).isEqualTo(Lane.LONG);
    }
}
