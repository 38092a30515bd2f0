package io.completionring.stress;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import io.completionring.RingClosedException;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import static io.completionring.stress.Checks.require;
import static io.completionring.stress.Publication.code;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * close() sets the closed bit with one atomic OR on the submitted counter, then looks at both waiter words: parked
 * reapers wake and re-evaluate (-1 once nothing is ready or in flight), parked submitters wake and throw
 * RingClosedException, and completions of requests submitted before the close still reach a reaper. Run with
 * {@code -af NONE} (see {@link LostWakeup}), and, on JDK 22+, a second time with the asymmetric fence ({@link
 * FenceForm}). A wrong answer is thrown, which jcstress records as ERROR.
 *
 * <p>Results on this machine ({@code run.sh quick}, 2026-11-22 05:37 UTC, JDK 17, 2 cores): per scenario the JVM
 * configurations, samples and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   Close_01_ParkedReaperGetsMinusOne: 8 configs, 1,798 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                  1,798  acceptable
 *   Close_02_ParkedSubmitterGetsRingClosedException: 8 configs, 1,806 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                  1,806  acceptable
 *   Close_03_InFlightRequestCompletesAfterClose: 8 configs, 1,614 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                  1,614  acceptable
 *   Close_04_ManyRoundsCloseRacesPark: 8 configs, 310 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                    310  acceptable
 * </pre>
 */
public final class Close {

    private Close() {
    }

    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The parked reaper woke on close and returned -1")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The reaper stayed parked on a closed, empty ring")
    @State
    public static class Close_01_ParkedReaperGetsMinusOne {
        private final CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        private final CompletionEvent[] events = CompletionEvent.newArray(1);

        public Close_01_ParkedReaperGetsMinusOne() {
            FenceForm.requireExpected();
        }

        @Actor
        public void reaper() throws InterruptedException {
            final int n = ring.getEvents(1, 1, events);
            require(n == -1, "getEvents on the closed, empty ring returned " + n);
        }

        @Signal
        public void closer() {
            ring.close();
        }
    }

    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The submitter parked on the full ring woke on close with RingClosedException")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The submitter stayed parked on a closed ring")
    @State
    public static class Close_02_ParkedSubmitterGetsRingClosedException {
        private final CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();

        public Close_02_ParkedSubmitterGetsRingClosedException() {
            FenceForm.requireExpected();
            ring.trySubmit();
        }

        @Actor
        public void submitter() throws InterruptedException {
            try {
                ring.submit();
            } catch (RingClosedException expected) {
                return;
            }
            throw new IllegalStateException("submit() on a full ring returned normally after close()");
        }

        @Signal
        public void closer() {
            ring.close();
        }
    }

    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The parked reaper got the event completed after close, then -1")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The reaper stayed parked though the in-flight request completed after close")
    @State
    public static class Close_03_InFlightRequestCompletesAfterClose {
        private final CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        private final CompletionEvent[] events = CompletionEvent.newArray(1);

        public Close_03_InFlightRequestCompletesAfterClose() {
            FenceForm.requireExpected();
            ring.trySubmit();
        }

        @Actor
        public void reaper() throws InterruptedException {
            final int n = ring.getEvents(1, 1, events);
            require(n == 1 && code(events[0]) == 3033, "getEvents returned " + n + " before the in-flight event arrived");
            final int after = ring.getEvents(1, 1, events);
            require(after == -1, "getEvents on the closed, drained ring returned " + after);
        }

        @Signal
        public void closerThenProducer() {
            ring.close();
            Rounds.randomPause(64);
            ring.complete(3, 33);
        }
    }

    /** Many rounds per sample, each on its own ring, close() landing at random points of the reaper's park. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "In every round the reaper woke on close and returned -1")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "In some round the reaper stayed parked on a closed, empty ring")
    @State
    public static class Close_04_ManyRoundsCloseRacesPark {
        private final CompletionRing[] rings = LostWakeup.rings(Rounds.ROUNDS, 1, 0, 0);
        private final CompletionEvent[] events = CompletionEvent.newArray(1);
        private final Rounds rounds = new Rounds();

        public Close_04_ManyRoundsCloseRacesPark() {
            FenceForm.requireExpected();
        }

        @Actor
        public void reaper() throws InterruptedException {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.announce(i);
                final int n = rings[i].getEvents(1, 1, events);
                require(n == -1, "round " + i + ": getEvents on the closed, empty ring returned " + n);
            }
        }

        @Signal
        public void closer() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.awaitAnnounced(i);
                rings[i].close();
            }
        }
    }
}
