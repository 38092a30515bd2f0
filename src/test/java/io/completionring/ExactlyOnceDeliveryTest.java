package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rule 5 under load: one producer, many reapers, every event reaped exactly once, in completion order within each call,
 * never torn. See {@link DeliveryRun} for how each property is detected.
 */
class ExactlyOnceDeliveryTest {

    private static final Duration STALL = Duration.ofSeconds(10);

    private static void assertClean(DeliveryRun.Counts counts, long events) {
        assertTrue(counts.clean(), counts.toString());
        assertEquals(events, counts.events(), counts.toString());
    }

    @ParameterizedTest(name = "1 producer, {0} reaper(s), 2,000,000 events")
    @ValueSource(ints = {1, 2, 4, 8})
    @Timeout(90)
    void everyEventIsReapedExactlyOnceInOrderAndUntorn(int reapers) throws InterruptedException {
        long events = 2_000_000;
        CompletionRing ring = CompletionRing.create(1024);
        DeliveryRun.Counts counts = new DeliveryRun(events, reapers, ring, 17L * reapers, 64).run(STALL);
        assertClean(counts, events);
    }

    @ParameterizedTest(name = "capacity {0}, spin budget {1}, {2} reaper(s), {3} events")
    @CsvSource({"1, 0, 1, 100000", "1, 0, 3, 100000", "2, 0, 2, 100000", "2, 0, 4, 100000", "1, 100, 2, 100000",
            "2, 100, 3, 100000"})
    @Timeout(90)
    void smallRingsDeliverEveryEventExactlyOnce(int capacity, int spinBudget, int reapers, long events)
            throws InterruptedException {
        CompletionRing ring = CompletionRing.builder().capacity(capacity).spinBudget(spinBudget).build();
        long seed = 1000L + capacity * 10 + reapers;
        DeliveryRun.Counts counts = new DeliveryRun(events, reapers, ring, seed, 8).run(STALL);
        assertClean(counts, events);
    }

    @ParameterizedTest(name = "spin budget 0, {0} reaper(s), 500,000 events")
    @ValueSource(ints = {1, 4})
    @Timeout(90)
    void parkingReapersDeliverEveryEventExactlyOnce(int reapers) throws InterruptedException {
        long events = 500_000;
        CompletionRing ring = CompletionRing.builder().capacity(64).spinBudget(0).build();
        DeliveryRun.Counts counts = new DeliveryRun(events, reapers, ring, 77L * reapers, 16).run(STALL);
        assertClean(counts, events);
    }
}
