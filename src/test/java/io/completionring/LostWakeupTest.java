package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Seed 000, the Linux 2.6.24 io_getevents hang: a reaper parked in getEvents(1, 1) while the producer completes one event,
 * round after round, the reply coming back through a second ring. Without the full fence between the tail store and the
 * waiter check (and between publishing the waiter and re-checking the tail), a wake-up is eventually lost and the loop
 * stops; the watchdog fails the test after 5 s without a finished round.
 */
class LostWakeupTest {

    @ParameterizedTest(name = "spin budget {0}, random delay up to {1} spins, 100,000 rounds")
    @CsvSource({"0, 64", "0, 2000", "1000, 2000"})
    @Timeout(120)
    void parkedReaperIsWokenInEveryRound(int spinBudget, int maxDelaySpins) throws InterruptedException {
        long rounds = 100_000;
        PingPong.Counts counts = new PingPong(rounds, spinBudget, maxDelaySpins, spinBudget + maxDelaySpins)
                .run(Duration.ofSeconds(5));
        assertTrue(counts.clean(), counts.toString());
        assertEquals(rounds, counts.rounds());
    }
}
