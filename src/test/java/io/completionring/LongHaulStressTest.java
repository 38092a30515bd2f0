package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Long-haul stress (issue 3, item 6), excluded from the default run:
 *
 * <pre>mvn test -Dgroups=longhaul -DexcludedGroups=none</pre>
 *
 * The seed-000 scenario for 10,000,000 park/wake rounds, in two variants of 5,000,000 ({@link PingPong}: each round is
 * a hand-off to a parked reaper and a reply to the producer), and exactly-once delivery of 100,000,000 events with 1,
 * 2, 4 and 8 reapers ({@link DeliveryRun}). Each prints its counts and fails if any failure count is non-zero. The
 * sizes can be changed with {@code -Dlonghaul.rounds=N} and {@code -Dlonghaul.events=N}.
 */
@Tag("longhaul")
class LongHaulStressTest {

    private static final long ROUNDS = Long.getLong("longhaul.rounds", 10_000_000L);
    private static final long EVENTS = Long.getLong("longhaul.events", 100_000_000L);

    /**
     * Half the rounds with a reaper that parks at once and a producer that spins for the reply (its next completion
     * races the reaper's way into park), half with a reaper that spins 1000 rounds first and a producer that parks (the
     * variant that caught a fence-less copy of the ring within about 20,000 rounds; see LostWakeupTest).
     */
    @ParameterizedTest(name = "reaper spin budget {0}, producer spin budget {1}, delay up to {2} spins")
    @CsvSource({"0, 1000000, 64", "1000, 0, 2000"})
    @Timeout(value = 2, unit = TimeUnit.HOURS)
    void seed000ParkedReaperIsWokenInEveryRound(int reaperSpins, int producerSpins, int maxDelaySpins)
            throws InterruptedException {
        long rounds = ROUNDS / 2;
        long start = System.nanoTime();
        PingPong.Counts c = new PingPong(rounds, reaperSpins, producerSpins, maxDelaySpins, System.nanoTime())
                .run(Duration.ofSeconds(10));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        // A lost event shows as a hang here: each round waits for its reply.
        System.out.printf("longhaul seed-000 ping-pong (reaper spins %d, producer spins %d):"
                        + " rounds=%d events=%d lost=%d duplicated=%d torn=%d hangs=%d (%d s)%n", reaperSpins,
                producerSpins, c.rounds(), 2 * c.rounds(), c.hangs(), c.wrongEvents(), c.torn(), c.hangs(), seconds);
        assertTrue(c.clean(), c.toString());
        assertEquals(rounds, c.rounds());
    }

    @ParameterizedTest(name = "{0} reaper(s)")
    @ValueSource(ints = {1, 2, 4, 8})
    @Timeout(value = 2, unit = TimeUnit.HOURS)
    void everyEventIsReapedExactlyOnce(int reapers) throws InterruptedException {
        long start = System.nanoTime();
        CompletionRing ring = CompletionRing.create(1024);
        DeliveryRun.Counts c = new DeliveryRun(EVENTS, reapers, ring, System.nanoTime(), 64)
                .run(Duration.ofSeconds(30));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        System.out.printf("longhaul exactly-once, %d reaper(s): rounds=%d events=%d lost=%d duplicated=%d torn=%d"
                        + " outOfOrder=%d shortReturns=%d hangs=%d parks=%d (%d s)%n", reapers, c.calls(),
                c.events(), c.lost(), c.duplicated(), c.torn(), c.outOfOrder(), c.shortReturns(), c.hangs(),
                ring.stats().parks(), seconds);
        assertTrue(c.clean(), c.toString());
        assertEquals(EVENTS, c.events());
    }
}
