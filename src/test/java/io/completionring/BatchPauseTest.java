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
    void aProbeThatPaysKeepsThePauseAndForgetsEarlierMisses() {
        BatchPause pause = new BatchPause();
        pause.taken(0, 1);
        pause.taken(BatchPause.ROUNDS, 1);                  // a failed probe
        assertEquals(1, pause.misses());
        while (pause.rounds() == 0) {
            pause.taken(0, 1);                              // probes again with probability 1/2
        }
        pause.taken(BatchPause.ROUNDS, 20);
        assertEquals(0, pause.misses());
        assertEquals(2 * BatchPause.ROUNDS, pause.rounds(), "a probe that paid doubles the pause");
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
        assertEquals(1, pause.misses());
    }

    @Test
    void afterManyFailedProbesOnlyAboutOneCallIn1024Probes() {
        BatchPause pause = new BatchPause();
        for (int i = 0; i < 10_000_000 && pause.misses() < BatchPause.MAX_MISSES; i++) {
            pause.taken(0, 1);
            if (pause.rounds() != 0) {
                pause.taken(BatchPause.ROUNDS, 1);          // every probe fails
            }
        }
        assertEquals(BatchPause.MAX_MISSES, pause.misses());
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
        assertEquals(BatchPause.MAX_MISSES, pause.misses());
    }
}
