package io.completionring.stress;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Multi-producer rings: producers claim positions with a CAS on a claimed counter checked against submitted, write
 * their slots, mark them written (release), fence, and move the tail by CAS over the contiguous written positions
 * (MultiProducerRing); reapers read the tail as with one producer. Seed 004 per slot: a reaper never reads a slot before
 * the producer that claimed it has written it, whichever producer moved the tail over it; each producer's events in
 * its call order, one completeAll's events consecutive and published together; a completion with no reservation
 * left throws and publishes nothing, however the producers race.
 *
 * <p>Events are shown as their userData digits in the order the reaper got them (1 to 4; 9 for an event whose result
 * is not 11 times its userData: torn, unwritten or foreign). jcstress runs no more actors than there are CPUs (a
 * test with three was not run here: NOT RUN, 0 samples), so a reaper is one of the two producers or the arbiter.
 *
 * <p>Results on this machine ({@code -m sanity -time 300}, the quick pass's options for these tests, 2026-12-02 04:25
 * UTC, JDK 17, 2 cores, ring of commit 259be2e): per scenario the JVM configurations, samples and forbidden samples,
 * then each outcome's count over all configurations.
 * <pre>
 *   MultiProducer_01_TwoProducersPublishWholeEventsInTheirOrder: 28 configs, 87,955 samples, 0 forbidden -- OK
 *       0, 0, 1                       110  acceptable (interesting: held back)
 *       1, 3, 1                     2,990  acceptable (interesting: held back)
 *       2, 34, 1                   11,494  acceptable
 *       4, 1234, 1                 21,348  acceptable
 *       4, 3124, 1                 47,973  acceptable
 *       4, 3412, 1                  4,040  acceptable
 *   MultiProducer_02_TwoProducersRaceForOneReservation: 28 configs, 34,743 samples, 0 forbidden -- OK
 *       0, 1, 2, 1                 29,671  acceptable
 *       1, 0, 1, 1                  5,072  acceptable
 * </pre>
 * Shown failing on the real ring broken in a scratch edit (library installed from it, these tests rebuilt, same
 * options, 2026-12-02): {@code _01} with the slots published before they are written: 4,753 forbidden of 139,549
 * (28 of 28 configurations); with a batch's marks set first to last (the ring before 259be2e): 346 of 250,633
 * ({@code 1, 1}, {@code 2, 31}, {@code 3, 341}: part of the batch); with a producer whose tail CAS fails giving up
 * instead of reading the tail again: 432 of 241,863 ({@code 3, 312, 1}, {@code 3, 123, 1}: producer 2's own event
 * left behind); with the full fence between the marks and the scan removed: 221 of 195,383 (r3 = 0: an event not
 * published once both producers had returned). {@code _02} with claim not checking submitted: 96,897 of 96,897.
 */
public final class MultiProducer {

    private MultiProducer() {
    }

    /**
     * Producer 1 completes a batch (1, 2) with completeAll; producer 2 completes 3, then 4, then reaps what is ready
     * (jcstress runs at most as many actors as there are CPUs, two here, so the reaper is producer 2). Whatever the
     * claim order, producer 2's reap follows its own completions, so it sees them unless they wait behind a batch
     * claimed before them and not yet published (semantics (4): held back, not lost), and it sees the batch whole or
     * not at all. Then the arbiter takes the rest: everything both producers completed is published once they have
     * returned.
     */
    @JCStressTest
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE_INTERESTING, desc = "Saw nothing: producer 1 had claimed first and not yet published, so 3 and 4 waited behind its batch")
    @Outcome(id = "1, 3, 1", expect = ACCEPTABLE_INTERESTING, desc = "Saw 3 only: the batch was claimed between 3 and 4 and not yet published, so 4 waited behind it")
    @Outcome(id = "2, 34, 1", expect = ACCEPTABLE, desc = "Saw 3 and 4, in their order; the batch claimed after them, or not yet")
    @Outcome(id = "4, 1234, 1", expect = ACCEPTABLE, desc = "Saw all: the batch, then 3 and 4")
    @Outcome(id = "4, 3124, 1", expect = ACCEPTABLE, desc = "Saw all: 3, the batch, 4")
    @Outcome(id = "4, 3412, 1", expect = ACCEPTABLE, desc = "Saw all: 3 and 4, then the batch")
    @Outcome(expect = FORBIDDEN, desc = "Saw an unwritten or torn slot (9, seed 004), part of the batch, 4 before 3, missed its own completed events with nothing before them unpublished, or found an event not published once both producers had returned")
    @State
    public static class MultiProducer_01_TwoProducersPublishWholeEventsInTheirOrder {
        private static final long[] USER_DATA = {1, 2};
        private static final long[] RESULTS = {11, 22};
        private final CompletionRing ring = CompletionRing.builder().capacity(4).multiProducer(true).build();
        private final CompletionEvent[] events = CompletionEvent.newArray(4);

        public MultiProducer_01_TwoProducersPublishWholeEventsInTheirOrder() {
            ring.trySubmit(4);
        }

        @Actor
        public void producer1() {
            ring.completeAll(USER_DATA, RESULTS, 0, 2);
        }

        @Actor
        public void producer2ThenReaper(III_Result r) {
            ring.complete(3, 33);
            ring.complete(4, 44);
            final int n = ring.pollEvents(4, events);
            r.r1 = n;
            r.r2 = digits(events, n);
        }

        /**
         * r3: 1 if, once both producers have returned, the events the reaper did not take are all ready and complete
         * a valid order (no position was left behind: each producer fences between its marks and its scan).
         */
        @Arbiter
        public void arbiter(III_Result r) {
            final CompletionEvent[] rest = CompletionEvent.newArray(4);
            final int n = ring.pollEvents(4, rest);
            final int all = append(r.r2, rest, n);
            r.r3 = r.r1 + n == 4 && (all == 1234 || all == 3124 || all == 3412) ? 1 : 0;
        }
    }

    @JCStressTest
    @Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE, desc = "Producer 1 got the reservation, producer 2 got IllegalStateException; event 1 reaped, counters agree")
    @Outcome(id = "0, 1, 2, 1", expect = ACCEPTABLE, desc = "Producer 2 got the reservation, producer 1 got IllegalStateException; event 2 reaped, counters agree")
    @Outcome(expect = FORBIDDEN, desc = "Both or neither completed on the one reservation, the event reaped is not the winner's, or the counters disagree")
    @State
    public static class MultiProducer_02_TwoProducersRaceForOneReservation {
        private final CompletionRing ring = CompletionRing.builder().capacity(2).multiProducer(true).build();

        public MultiProducer_02_TwoProducersRaceForOneReservation() {
            ring.trySubmit();
        }

        @Actor
        public void producer1(IIII_Result r) {
            r.r1 = tryComplete(ring, 1);
        }

        @Actor
        public void producer2(IIII_Result r) {
            r.r2 = tryComplete(ring, 2);
        }

        /** r3: the events reaped afterwards, as digits; r4: 1 if submitted, completed and reaped are then all 1. */
        @Arbiter
        public void arbiter(IIII_Result r) {
            final CompletionEvent[] events = CompletionEvent.newArray(2);
            r.r3 = digits(events, ring.pollEvents(2, events));
            r.r4 = countersAre(ring, 1, 1, 1);
        }
    }

    /** complete(userData, 11 * userData): 1 if it returned, 0 if it threw IllegalStateException. */
    static int tryComplete(CompletionRing ring, long userData) {
        try {
            ring.complete(userData, 11 * userData);
            return 1;
        } catch (IllegalStateException noReservation) {
            return 0;
        }
    }

    /** The userData of events[0..n) as decimal digits, 9 for an event whose result is not 11 * userData. */
    static int digits(CompletionEvent[] events, int n) {
        return append(0, events, n);
    }

    /** {@code digits} followed by the digits of events[0..n). */
    static int append(int digits, CompletionEvent[] events, int n) {
        for (int i = 0; i < n; i++) {
            final long u = events[i].userData();
            digits = digits * 10 + (u >= 1 && u <= 8 && events[i].result() == 11 * u ? (int) u : 9);
        }
        return digits;
    }

    /** 1 if the ring's counters are exactly these and nothing is ready, else 0. */
    static int countersAre(CompletionRing ring, long submitted, long completed, long reaped) {
        return ring.stats().submitted() == submitted && ring.stats().completed() == completed
                && ring.stats().reaped() == reaped && ring.ready() == 0 ? 1 : 0;
    }
}
