package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Long-haul stress (issue 3, item 6), excluded from the default run:
 *
 * <pre>mvn test -Dgroups=longhaul -DexcludedGroups=none</pre>
 *
 * The seed-000 scenario for 10,000,000 park/wake rounds ({@link PingPong}: each round is a hand-off to a parked reaper
 * and a reply to the parked producer), and exactly-once delivery of 100,000,000 events with 1, 2, 4 and 8 reapers
 * ({@link DeliveryRun}). Each prints its counts and fails if any failure count is non-zero. The sizes can be changed
 * with {@code -Dlonghaul.rounds=N} and {@code -Dlonghaul.events=N}.
 */
@Tag("longhaul")
class LongHaulStressTest {

    private static final long ROUNDS = Long.getLong("longhaul.rounds", 10_000_000L);
    private static final long EVENTS = Long.getLong("longhaul.events", 100_000_000L);

    @Test
    @Timeout(value = 2, unit = TimeUnit.HOURS)
    void seed000ParkedReaperIsWokenInEveryRound() throws InterruptedException {
        long start = System.nanoTime();
        PingPong.Counts c = new PingPong(ROUNDS, 0, 64, System.nanoTime()).run(Duration.ofSeconds(10));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        // A lost event shows as a hang here: each round waits for its reply.
        System.out.printf("longhaul seed-000 ping-pong: rounds=%d events=%d lost=%d duplicated=%d torn=%d hangs=%d"
                        + " (%d s)%n", c.rounds(), 2 * c.rounds(), c.hangs(), c.wrongEvents(), c.torn(), c.hangs(), seconds);
        assertTrue(c.clean(), c.toString());
        assertEquals(ROUNDS, c.rounds());
    }

    @ParameterizedTest(name = "{0} reaper(s)")
    @ValueSource(ints = {1, 2, 4, 8})
    @Timeout(value = 2, unit = TimeUnit.HOURS)
    void everyEventIsReapedExactlyOnce(int reapers) throws InterruptedException {
        long start = System.nanoTime();
        CompletionRing ring = CompletionRing.create(1024);
        DeliveryRun.Counts c = new DeliveryRun(EVENTS, reapers, ring, System.nanoTime(), 64).run(Duration.ofSeconds(30));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        System.out.printf("longhaul exactly-once, %d reaper(s): rounds=%d events=%d lost=%d duplicated=%d torn=%d"
                        + " outOfOrder=%d shortReturns=%d hangs=%d parks=%d (%d s)%n", reapers, c.calls(),
                c.events(), c.lost(), c.duplicated(), c.torn(), c.outOfOrder(), c.shortReturns(), c.hangs(),
                ring.stats().parks(), seconds);
        assertTrue(c.clean(), c.toString());
        assertEquals(EVENTS, c.events());
    }
}
