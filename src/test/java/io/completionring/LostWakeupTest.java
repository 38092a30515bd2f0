package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Seed 000, the Linux 2.6.24 io_getevents hang: a reaper parked in getEvents(1, 1) while the producer completes one
 * event, round after round, the reply coming back through a second ring. Without the full fence between the tail store
 * and the waiter check (and between publishing the waiter and re-checking the tail), a wake-up is eventually lost and
 * the loop stops; the watchdog fails the test after 5 s without a finished round.
 */
class LostWakeupTest {

    @ParameterizedTest(name = "reaper spin budget {0}, producer spin budget {1}, delay up to {2} spins, {3} rounds")
    @CsvSource({"0, 1000000, 64, 50000", "0, 0, 64, 50000", "1000, 0, 2000, 100000"})
    @Timeout(120)
    void parkedReaperIsWokenInEveryRound(int reaperSpins, int producerSpins, int maxDelaySpins, long rounds)
            throws InterruptedException {
        PingPong.Counts counts = new PingPong(rounds, reaperSpins, producerSpins, maxDelaySpins, rounds + maxDelaySpins)
                .run(Duration.ofSeconds(5));
        assertTrue(counts.clean(), counts.toString());
        assertEquals(rounds, counts.rounds());
    }
}
