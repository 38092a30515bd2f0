package io.completionring.stress;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJJ_Result;

import static io.completionring.stress.Publication.code;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Ordering point 2 (seed 004, second half): a reaper reads the slot, then moves the head; only then may a submitter
 * reserve the slot again and the producer overwrite it. On a capacity-1 ring every lap uses the same slot, so a reaper
 * taking lap n while the producer publishes lap n+1 (after a trySubmit that the reap made possible) must never return
 * lap n+1's data, or a mix, for lap n. Lap n is (1, 11), lap n+1 is (2, 22); events are shown as userData * 1000 +
 * result, so lap n is 1011 and lap n+1 is 2022.
 *
 * <p>Results on this machine ({@code run.sh quick}, 2026-11-22 05:37 UTC, JDK 17, 2 cores): per scenario the JVM
 * configurations, samples and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   SlotReuse_01_PollTakesLapNWhileLapNPlus1IsPublished: 28 configs, 564,385 samples, 0 forbidden -- OK
 *       1011, 0, 0, 0             509,520  acceptable
 *       1011, 0, 0, 1              47,402  acceptable
 *       1011, 1, 2022, 1            7,463  acceptable
 *   SlotReuse_02_GetEventsTakesLapNWhileLapNPlus1IsPublished: 28 configs, 548,448 samples, 0 forbidden -- OK
 *       1011, 0, 0, 0             478,557  acceptable
 *       1011, 0, 0, 1              61,211  acceptable
 *       1011, 1, 2022, 1            8,680  acceptable
 * </pre>
 */
public final class SlotReuse {

    private SlotReuse() {
    }

    @JCStressTest
    @Outcome(id = "1011, 0, 0, 0", expect = ACCEPTABLE, desc = "Took lap n intact; the producer found the slot still reserved, so no lap n+1")
    @Outcome(id = "1011, 0, 0, 1", expect = ACCEPTABLE, desc = "Took lap n intact; lap n+1 reused the slot after the reaper's second poll")
    @Outcome(id = "1011, 1, 2022, 1", expect = ACCEPTABLE, desc = "Took lap n intact, then lap n+1 intact from the reused slot")
    @Outcome(expect = FORBIDDEN, desc = "Read lap n+1's data, or a mix of laps, for lap n; or lost or repeated a lap")
    @State
    public static class SlotReuse_01_PollTakesLapNWhileLapNPlus1IsPublished {
        private final CompletionRing ring = CompletionRing.create(1);
        private final CompletionEvent[] events = CompletionEvent.newArray(1);

        public SlotReuse_01_PollTakesLapNWhileLapNPlus1IsPublished() {
            ring.trySubmit();
            ring.complete(1, 11);
        }

        /** r1: the first reap; r2, r3: the second poll's count and event. */
        @Actor
        public void reaper(JJJJ_Result r) {
            r.r1 = ring.pollEvents(1, events) == 1 ? code(events[0]) : -1;
            events[0] = new CompletionEvent();
            r.r2 = ring.pollEvents(1, events);
            r.r3 = code(events[0]);
        }

        /** r4: 1 if the slot could be reserved again and lap n+1 was completed into it. */
        @Actor
        public void producer(JJJJ_Result r) {
            if (ring.trySubmit()) {
                ring.complete(2, 22);
                r.r4 = 1;
            }
        }
    }

    @JCStressTest
    @Outcome(id = "1011, 0, 0, 0", expect = ACCEPTABLE, desc = "Took lap n intact; the producer found the slot still reserved, so no lap n+1")
    @Outcome(id = "1011, 0, 0, 1", expect = ACCEPTABLE, desc = "Took lap n intact; lap n+1 reused the slot after the reaper's second call")
    @Outcome(id = "1011, 1, 2022, 1", expect = ACCEPTABLE, desc = "Took lap n intact, then lap n+1 intact from the reused slot")
    @Outcome(expect = FORBIDDEN, desc = "Read lap n+1's data, or a mix of laps, for lap n; or lost or repeated a lap")
    @State
    public static class SlotReuse_02_GetEventsTakesLapNWhileLapNPlus1IsPublished {
        private final CompletionRing ring = CompletionRing.create(1);
        private final CompletionEvent[] events = CompletionEvent.newArray(1);

        public SlotReuse_02_GetEventsTakesLapNWhileLapNPlus1IsPublished() {
            ring.trySubmit();
            ring.complete(1, 11);
        }

        /** getEvents(1, 1) for lap n (it is ready: no wait), then getEvents(0, 1), which never waits, for lap n+1. */
        @Actor
        public void reaper(JJJJ_Result r) {
            try {
                r.r1 = ring.getEvents(1, 1, events) == 1 ? code(events[0]) : -1;
                events[0] = new CompletionEvent();
                r.r2 = ring.getEvents(0, 1, events);
                r.r3 = code(events[0]);
            } catch (InterruptedException e) {
                r.r1 = -3; // nobody interrupts this thread: shows up as a forbidden outcome
            }
        }

        @Actor
        public void producer(JJJJ_Result r) {
            if (ring.trySubmit()) {
                ring.complete(2, 22);
                r.r4 = 1;
            }
        }
    }
}
