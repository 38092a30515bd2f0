package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The batching pause switches on only through a probe that pays, and probes less often after each that did not. */
class BatchPauseTest {

    @Test
    void startsOffAndACallThatTookFewProbesTheNextCall() {
        BatchPause pause = new BatchPause();
        assertEquals(0, pause.rounds());
        pause.taken(0, BatchPause.FEW);                     // enough: nothing to try
        assertEquals(0, pause.rounds());
        pause.taken(0, BatchPause.FEW - 1);                 // too few, and no failed probe yet: probe at once
        assertEquals(BatchPause.ROUNDS, pause.rounds());
    }

    @Test
    void aProbeThatPaysDoublesThePauseAndForgetsEarlierMisses() {
        // After two failed probes the next probe comes with probability 1/4; a probe that pays resets that, so after
        // it and one more failed paused call, probes come with probability 1/2: about 2 calls until the next, not 4.
        final int trials = 2_000;
        long calls = 0;
        for (int trial = 0; trial < trials; trial++) {
            BatchPause pause = new BatchPause();
            failProbes(pause, 2);
            probe(pause);
            pause.taken(BatchPause.ROUNDS, 20);             // the probe paid
            assertEquals(2 * BatchPause.ROUNDS, pause.rounds(), "a probe that paid doubles the pause");
            pause.taken(2 * BatchPause.ROUNDS, 1);          // a paused call that took few: one miss, not three
            assertEquals(0, pause.rounds());
            calls += probe(pause);
        }
        final double mean = (double) calls / trials;
        assertTrue(mean < 3, "about 2 calls per probe expected after the misses were forgotten, was " + mean);
    }

    @Test
    void thePauseDoublesWhilePausedCallsTakeEnoughUpToItsLongest() {
        BatchPause pause = new BatchPause();
        pause.taken(0, 1);                                  // probe
        int paused = pause.rounds();
        assertEquals(BatchPause.ROUNDS, paused);
        while (paused < BatchPause.MAX_ROUNDS) {
            pause.taken(paused, BatchPause.FEW);
            assertEquals(Math.min(2 * paused, BatchPause.MAX_ROUNDS), pause.rounds());
            paused = pause.rounds();
        }
        pause.taken(paused, 64);
        assertEquals(BatchPause.MAX_ROUNDS, pause.rounds(), "stays at the longest while paused calls take enough");
        pause.taken(paused, BatchPause.FEW - 1);
        assertEquals(0, pause.rounds(), "a paused call that took few switches it off, however long it was");
        while (pause.rounds() == 0) {
            pause.taken(0, 1);                              // probes again with probability 1/2
        }
        assertEquals(BatchPause.ROUNDS, pause.rounds(), "the next probe pauses the probe's length, not the longest");
    }

    @Test
    void aPausedCallThatStillTookFewSwitchesThePauseOff() {
        BatchPause pause = new BatchPause();
        pause.taken(0, 0);
        pause.taken(BatchPause.ROUNDS, BatchPause.FEW - 1);
        assertEquals(0, pause.rounds());
    }

    @Test
    void afterManyFailedProbesOnlyAboutOneCallIn1024Probes() {
        BatchPause pause = new BatchPause();
        failProbes(pause, BatchPause.MAX_MISSES + 5);       // more than enough to reach the rarest probing
        int probes = 0;
        final int calls = 100 << BatchPause.MAX_MISSES;     // 100 probes expected
        for (int i = 0; i < calls; i++) {
            pause.taken(0, 1);
            if (pause.rounds() != 0) {
                probes++;
                pause.taken(BatchPause.ROUNDS, 1);
            }
        }
        assertTrue(probes >= 50 && probes <= 200, probes + " probes in " + calls + " calls, about 100 expected");
    }

    /** Makes calls that took few until one probes (the next call pauses); returns how many calls that took. */
    private static int probe(BatchPause pause) {
        int calls = 0;
        while (pause.rounds() == 0) {
            pause.taken(0, 1);
            calls++;
        }
        return calls;
    }

    /** Makes {@code n} probes that fail, in a row. */
    private static void failProbes(BatchPause pause, int n) {
        for (int i = 0; i < n; i++) {
            probe(pause);
            pause.taken(pause.rounds(), 1);
        }
    }
}
