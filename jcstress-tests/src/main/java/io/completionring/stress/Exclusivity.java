package io.completionring.stress;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static io.completionring.stress.Publication.code;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Exactly once: reapers race for the head with one CAS per run of events, copying before the CAS and discarding the
 * copy when the CAS fails. Two reapers never both get an event, and once both are done no event is left behind.
 *
 * <p>Results on this machine ({@code run.sh quick}, 2026-11-22 05:37 UTC, JDK 17, 2 cores): per scenario the JVM
 * configurations, samples and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   Exclusivity_01_OneEventTwoReapers: 28 configs, 492,936 samples, 0 forbidden -- OK
 *       0, 0, 1                         0  FORBIDDEN
 *       0, 1, 0                   387,531  acceptable
 *       1, 0, 0                   105,405  acceptable
 *       1, 1, 0                         0  FORBIDDEN
 *   Exclusivity_02_BatchesTwoReapers: 28 configs, 517,854 samples, 0 forbidden -- OK
 *       4, 15, 1                  517,854  acceptable
 *   Exclusivity_03_ProducerAndReaperRaceTheOtherReaper: 28 configs, 429,213 samples, 0 forbidden -- OK
 *       2, 3, 1                   429,213  acceptable
 * </pre>
 */
public final class Exclusivity {

    private Exclusivity() {
    }

    @JCStressTest
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "Reaper 1 got the event, reaper 2 saw none, nothing left")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "Reaper 2 got the event, reaper 1 saw none, nothing left")
    @Outcome(id = "1, 1, 0", expect = FORBIDDEN, desc = "Both reapers got the one event")
    @Outcome(id = "0, 0, 1", expect = FORBIDDEN, desc = "Neither reaper got the event though it was ready all along")
    @Outcome(expect = FORBIDDEN, desc = "Something else: a torn event (shown as 9), or the event both taken and left")
    @State
    public static class Exclusivity_01_OneEventTwoReapers {
        private final CompletionRing ring = CompletionRing.create(1);
        private final CompletionEvent[] events1 = CompletionEvent.newArray(1);
        private final CompletionEvent[] events2 = CompletionEvent.newArray(1);

        public Exclusivity_01_OneEventTwoReapers() {
            ring.trySubmit();
            ring.complete(5, 55);
        }

        @Actor
        public void reaper1(III_Result r) {
            r.r1 = took(ring.pollEvents(1, events1), events1[0]);
        }

        @Actor
        public void reaper2(III_Result r) {
            r.r2 = took(ring.pollEvents(1, events2), events2[0]);
        }

        /** r3: events still in the ring once both reapers are done. */
        @Arbiter
        public void leftInRing(III_Result r) {
            r.r3 = Math.max(0, ring.pollEvents(1, CompletionEvent.newArray(1)));
        }

        private static int took(int n, CompletionEvent e) {
            return n == 1 && code(e) != 5055 ? 9 : n;
        }
    }

    @JCStressTest
    @Outcome(id = "4, 15, 1", expect = ACCEPTABLE, desc = "Between them the reapers took each of the four events once, each in completion order")
    @Outcome(expect = FORBIDDEN, desc = "An event was taken twice, lost, torn, or returned out of completion order")
    @State
    public static class Exclusivity_02_BatchesTwoReapers {
        private static final int EVENTS = 4;
        private final CompletionRing ring = CompletionRing.create(EVENTS);
        private final Tally tally1 = new Tally(3);
        private final Tally tally2 = new Tally(2);

        public Exclusivity_02_BatchesTwoReapers() {
            ring.trySubmit(EVENTS);
            ring.completeAll(new long[] {1, 2, 3, 4}, new long[] {11, 22, 33, 44}, 0, EVENTS);
        }

        /** Takes batches of up to 3 until none is ready. */
        @Actor
        public void reaper1() {
            tally1.drain(ring);
        }

        /** Takes batches of up to 2 until none is ready. */
        @Actor
        public void reaper2() {
            tally2.drain(ring);
        }

        /** r1: events returned in all; r2: bit set of distinct events returned; r3: 1 if all intact, in order, once. */
        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = Tally.count(tally1, tally2);
            r.r2 = Tally.mask(tally1, tally2);
            r.r3 = Tally.exactlyOnceInOrder(tally1, tally2);
        }
    }

    @JCStressTest
    @Outcome(id = "2, 3, 1", expect = ACCEPTABLE, desc = "Each of the two events was taken once, intact and in order, by one of the reapers")
    @Outcome(expect = FORBIDDEN, desc = "An event was taken twice, lost, torn, or returned out of completion order")
    @State
    public static class Exclusivity_03_ProducerAndReaperRaceTheOtherReaper {
        private final CompletionRing ring = CompletionRing.create(2);
        private final Tally tally1 = new Tally(2);
        private final Tally tally2 = new Tally(2);

        public Exclusivity_03_ProducerAndReaperRaceTheOtherReaper() {
            ring.trySubmit(2);
            ring.complete(1, 11);
        }

        /** Completes the second event while the other reaper is busy, then takes whatever is left. */
        @Actor
        public void producerThenReaper() {
            ring.complete(2, 22);
            tally1.drain(ring);
        }

        @Actor
        public void reaper() {
            tally2.drain(ring);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = Tally.count(tally1, tally2);
            r.r2 = Tally.mask(tally1, tally2);
            r.r3 = Tally.exactlyOnceInOrder(tally1, tally2);
        }
    }
}
