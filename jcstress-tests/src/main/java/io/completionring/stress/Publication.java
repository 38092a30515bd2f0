package io.completionring.stress;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IJJ_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.JJJJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Ordering point 1 (seed 004, first half): the producer writes the event, then publishes the tail with a release
 * store; a reaper reads the tail with an acquire load, then the event. A reaper racing {@code complete} sees either no
 * event or exactly the (userData, result) pair that was completed, and everything the producer wrote before it.
 *
 * <p>Results on this machine ({@code run.sh quick}, 2026-11-22 05:37 UTC, JDK 17, 2 cores): per scenario the JVM
 * configurations, samples and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   Publication_01_PollSeesNothingOrTheWholeEvent: 28 configs, 704,942 samples, 0 forbidden -- OK
 *       0, 0, 0                   650,674  acceptable
 *       1, 42, 4242                54,268  acceptable
 *   Publication_02_NonBlockingGetEventsSeesNothingOrTheWholeEvent: 28 configs, 716,233 samples, 0 forbidden -- OK
 *       0, 0, 0                   627,542  acceptable
 *       1, 42, 4242                88,691  acceptable
 *   Publication_03_CompleteAllIsSeenWholeOrNotAtAll: 28 configs, 531,309 samples, 0 forbidden -- OK
 *       0, 0, 0, 0, 0             494,658  acceptable
 *       1, 1, 11, 0, 0                  0  FORBIDDEN
 *       2, 1, 11, 2, 22            36,651  acceptable
 *   Publication_04_TwoCompletionsAreSeenInOrder: 28 configs, 591,107 samples, 0 forbidden -- OK
 *       0, 0, 0                   485,237  acceptable
 *       1, 1011, 0                 49,546  acceptable
 *       2, 1011, 2022              56,324  acceptable
 *   Publication_05_ProducerWritesHappenBeforeTheReap: 28 configs, 654,558 samples, 0 forbidden -- OK
 *       0, -1                     612,364  acceptable
 *       1, 0                            0  FORBIDDEN
 *       1, 7                       42,194  acceptable
 * </pre>
 */
public final class Publication {

    private Publication() {
    }

    @JCStressTest
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "Polled before the completion: saw no event")
    @Outcome(id = "1, 42, 4242", expect = ACCEPTABLE, desc = "Saw the event with exactly the pair the producer completed")
    @Outcome(expect = FORBIDDEN, desc = "Saw the tail move but read an old, half-written or foreign event (seed 004)")
    @State
    public static class Publication_01_PollSeesNothingOrTheWholeEvent {
        private final CompletionRing ring = CompletionRing.create(1);
        private final CompletionEvent[] events = CompletionEvent.newArray(1);

        public Publication_01_PollSeesNothingOrTheWholeEvent() {
            ring.trySubmit();
        }

        @Actor
        public void producer() {
            ring.complete(42, 4242);
        }

        @Actor
        public void reaper(IJJ_Result r) {
            r.r1 = ring.pollEvents(1, events);
            r.r2 = events[0].userData();
            r.r3 = events[0].result();
        }
    }

    @JCStressTest
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "getEvents(0, 1) ran before the completion: saw no event")
    @Outcome(id = "1, 42, 4242", expect = ACCEPTABLE, desc = "getEvents(0, 1) saw the event with exactly the completed pair")
    @Outcome(expect = FORBIDDEN, desc = "getEvents saw the tail move but read an old, half-written or foreign event (seed 004)")
    @State
    public static class Publication_02_NonBlockingGetEventsSeesNothingOrTheWholeEvent {
        private final CompletionRing ring = CompletionRing.create(2);
        private final CompletionEvent[] events = CompletionEvent.newArray(1);

        public Publication_02_NonBlockingGetEventsSeesNothingOrTheWholeEvent() {
            ring.trySubmit();
        }

        @Actor
        public void producer() {
            ring.complete(42, 4242);
        }

        @Actor
        public void reaper(IJJ_Result r) {
            try {
                r.r1 = ring.getEvents(0, 1, events);
            } catch (InterruptedException e) {
                r.r1 = -3; // nobody interrupts this thread: shows up as a forbidden outcome
            }
            r.r2 = events[0].userData();
            r.r3 = events[0].result();
        }
    }

    @JCStressTest
    @Outcome(id = "0, 0, 0, 0, 0", expect = ACCEPTABLE, desc = "Polled before the batch was published: saw no event")
    @Outcome(id = "2, 1, 11, 2, 22", expect = ACCEPTABLE, desc = "Saw the whole batch, both pairs exact, in completion order")
    @Outcome(id = "1, 1, 11, 0, 0", expect = FORBIDDEN, desc = "Saw only the first event of a batch that completeAll publishes with one tail store")
    @Outcome(expect = FORBIDDEN, desc = "Saw the tail move but read old, half-written, reordered or foreign events (seed 004)")
    @State
    public static class Publication_03_CompleteAllIsSeenWholeOrNotAtAll {
        private static final long[] USER_DATA = {1, 2};
        private static final long[] RESULTS = {11, 22};
        private final CompletionRing ring = CompletionRing.create(2);
        private final CompletionEvent[] events = CompletionEvent.newArray(2);

        public Publication_03_CompleteAllIsSeenWholeOrNotAtAll() {
            ring.trySubmit(2);
        }

        @Actor
        public void producer() {
            ring.completeAll(USER_DATA, RESULTS, 0, 2);
        }

        @Actor
        public void reaper(JJJJJ_Result r) {
            r.r1 = ring.pollEvents(2, events);
            r.r2 = events[0].userData();
            r.r3 = events[0].result();
            r.r4 = events[1].userData();
            r.r5 = events[1].result();
        }
    }

    @JCStressTest
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "Polled before the completions: saw no event")
    @Outcome(id = "1, 1011, 0", expect = ACCEPTABLE, desc = "Saw the first completion only, exact")
    @Outcome(id = "2, 1011, 2022", expect = ACCEPTABLE, desc = "Saw both completions, exact, in completion order")
    @Outcome(expect = FORBIDDEN, desc = "Saw the second completion without the first, out of order, or with a torn pair")
    @State
    public static class Publication_04_TwoCompletionsAreSeenInOrder {
        private final CompletionRing ring = CompletionRing.create(2);
        private final CompletionEvent[] events = CompletionEvent.newArray(2);

        public Publication_04_TwoCompletionsAreSeenInOrder() {
            ring.trySubmit(2);
        }

        @Actor
        public void producer() {
            ring.complete(1, 11);
            ring.complete(2, 22);
        }

        @Actor
        public void reaper(IJJ_Result r) {
            r.r1 = ring.pollEvents(2, events);
            r.r2 = code(events[0]);
            r.r3 = code(events[1]);
        }
    }

    @JCStressTest
    @Outcome(id = "0, -1", expect = ACCEPTABLE, desc = "Polled before the completion: saw no event, so read nothing")
    @Outcome(id = "1, 7", expect = ACCEPTABLE, desc = "Got the event and then saw the producer's earlier plain write")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Got the event but not the plain write the producer made before complete (no happens-before)")
    @Outcome(expect = FORBIDDEN, desc = "Something else: a poll result other than 0 or 1")
    @State
    public static class Publication_05_ProducerWritesHappenBeforeTheReap {
        private final CompletionRing ring = CompletionRing.create(1);
        private final CompletionEvent[] events = CompletionEvent.newArray(1);
        /** Plain field, written by the producer before complete and read by the reaper after the reap. */
        private int payload;

        public Publication_05_ProducerWritesHappenBeforeTheReap() {
            ring.trySubmit();
        }

        @Actor
        public void producer() {
            payload = 7;
            ring.complete(1, 1);
        }

        @Actor
        public void reaper(II_Result r) {
            final int n = ring.pollEvents(1, events);
            r.r1 = n;
            r.r2 = n == 1 ? payload : -1;
        }
    }

    /** userData * 1000 + result: one number that shows a torn pair. */
    static long code(CompletionEvent e) {
        return e.userData() * 1000 + e.result();
    }
}
