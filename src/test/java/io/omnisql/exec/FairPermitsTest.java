package io.omnisql.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FairPermitsTest {
    private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(20);

    /** Starts a waiter for {@code key} that records its key once granted and then holds the permit. */
    private static Thread waiter(FairPermits permits, String key, List<String> order) throws InterruptedException {
        int before = permits.queued();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                if (permits.acquire(key, LONG_WAIT)) {
                    order.add(key);
                }
            } catch (InterruptedException ignored) {
                // the test ends
            }
        });
        while (permits.queued() == before) {
            Thread.sleep(1);
        }
        return t;
    }

    @Test
    void freedPermitsGoRoundRobinAcrossKeysNotFirstComeFirstServed() throws Exception {
        FairPermits permits = new FairPermits(1);
        assertThat(permits.acquire("busy", 0)).isTrue();
        List<String> order = new CopyOnWriteArrayList<>();
        // "heavy" queues three before "light" queues one: light must be served second, not fourth.
        for (String key : new String[] {"heavy", "heavy", "heavy", "light"}) {
            waiter(permits, key, order);
        }
        for (int served = 1; served <= 4; served++) {
            permits.release();
            int expected = served;
            while (order.size() < expected) {
                Thread.sleep(1);
            }
        }
        assertThat(order).containsExactly("heavy", "light", "heavy", "heavy");
        assertThat(permits.queued()).isZero();
    }

    @Test
    void aTimedOutOrInterruptedWaiterHoldsNothingAndLeavesTheQueue() throws Exception {
        FairPermits permits = new FairPermits(1);
        assertThat(permits.acquire("a", 0)).isTrue();
        assertThat(permits.acquire("b", TimeUnit.MILLISECONDS.toNanos(20))).isFalse();
        Thread t = waiter(permits, "c", new CopyOnWriteArrayList<>());
        t.interrupt();
        t.join();
        assertThat(permits.queued()).isZero();
        permits.release();
        assertThat(permits.inUse()).isZero();
        assertThat(permits.acquire("d", 0)).as("the freed permit was not handed to a waiter that left").isTrue();
    }

    @Test
    void forcingPastCapacityIsBoundedAndAShrinkDrainsThroughHeldPermits() throws Exception {
        FairPermits permits = new FairPermits(2);
        assertThat(permits.acquire("a", 0)).isTrue();
        assertThat(permits.acquire("a", 0)).isTrue();
        assertThat(permits.force(3)).isTrue();
        assertThat(permits.force(3)).isFalse();
        permits.resize(1);
        permits.release();
        permits.release();
        assertThat(permits.acquire("b", 0)).as("still one over the new capacity").isFalse();
        permits.release();
        assertThat(permits.acquire("b", 0)).isTrue();
    }
}
