package io.completionring.stress;

import java.util.concurrent.TimeUnit;

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
 * Nothing is lost when a wait ends early: a completion racing a reaper whose timeout is expiring, or racing an
 * interrupt of the reaper, ends up either returned by that getEvents or still in the ring, where the arbiter finds
 * it; never both, never neither. And an event completed before the interrupt is returned, never hidden behind
 * InterruptedException (scenario 04: the reaper looks at the ring once more after it sees the interrupt). Results:
 * r1 = what getEvents returned (-2: it threw InterruptedException), r2 = the event it returned (userData * 1000 +
 * result, 0 if none), r3 = events the arbiter still found in the ring.
 *
 * <p>Results on this machine (focused run of this class with the quick settings, {@code -m sanity -time 300},
 * 2026-11-30 13:35 UTC, JDK 17, 2 cores): per scenario the JVM configurations, samples and forbidden samples, then
 * each outcome's count over all configurations.
 * <pre>
 *   TimeoutAndInterrupt_01_CompletionRacesExpiringTimeoutParkAtOnce: 28 configs, 45,773 samples, 0 forbidden -- OK
 *       0, 0, 0                         0  FORBIDDEN
 *       0, 0, 1                       537  acceptable
 *       1, 4044, 0                 45,236  acceptable
 *       1, 4044, 1                      0  FORBIDDEN
 *   TimeoutAndInterrupt_02_CompletionRacesExpiringTimeoutDefaultSpin: 28 configs, 51,485 samples, 0 forbidden -- OK
 *       0, 0, 0                         0  FORBIDDEN
 *       0, 0, 1                       693  acceptable
 *       1, 4044, 0                 50,792  acceptable
 *       1, 4044, 1                      0  FORBIDDEN
 *   TimeoutAndInterrupt_03_InterruptThenCompletion: 28 configs, 75,899 samples, 0 forbidden -- OK
 *       -2, 0, 0                        0  FORBIDDEN
 *       -2, 0, 1                   28,377  acceptable
 *       0, 0, 1                         0  FORBIDDEN
 *       1, 4044, 0                 47,522  acceptable
 *       1, 4044, 1                      0  FORBIDDEN
 *   TimeoutAndInterrupt_04_CompletionThenInterrupt: 28 configs, 64,024 samples, 0 forbidden -- OK
 *       -2, 0, 0                        0  FORBIDDEN
 *       -2, 0, 1                        0  FORBIDDEN
 *       0, 0, 1                         0  FORBIDDEN
 *       1, 4044, 0                 64,024  acceptable
 *       1, 4044, 1                      0  FORBIDDEN
 * </pre>
 * Before the ring looked at itself once more on an interrupt, {@code -2, 0, 1} was an acceptable outcome of scenario
 * 04 and {@code run.sh quick} (2026-11-22 05:37 UTC) recorded it in 12 of 120,462 samples.
 */
public final class TimeoutAndInterrupt {

    private TimeoutAndInterrupt() {
    }

    /** Upper bound of the producer's random delay, in onSpinWait calls (about 0-40 µs here), to straddle the timeout. */
    private static final int PRODUCER_DELAY_SPINS = 1024;

    /** Long enough never to expire in the interrupt scenarios: the completion always comes well before. */
    private static final long NO_EXPIRY_SECONDS = 10;

    @JCStressTest
    @Outcome(id = "1, 4044, 0", expect = ACCEPTABLE, desc = "Got the event before the timeout; nothing left in the ring")
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "Timed out empty-handed; the event was still in the ring afterwards")
    @Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "Timed out empty-handed and the event was not in the ring either: lost")
    @Outcome(id = "1, 4044, 1", expect = FORBIDDEN, desc = "Got the event and it was still in the ring afterwards: delivered twice")
    @Outcome(expect = FORBIDDEN, desc = "Something else: a torn event or an impossible count")
    @State
    public static class TimeoutAndInterrupt_01_CompletionRacesExpiringTimeoutParkAtOnce {
        private final CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        private final CompletionEvent[] events = CompletionEvent.newArray(1);

        public TimeoutAndInterrupt_01_CompletionRacesExpiringTimeoutParkAtOnce() {
            ring.trySubmit();
        }

        @Actor
        public void producer() {
            Rounds.randomPause(PRODUCER_DELAY_SPINS);
            ring.complete(4, 44);
        }

        @Actor
        public void reaper(III_Result r) {
            try {
                r.r1 = ring.getEvents(1, 1, events, 20, TimeUnit.MICROSECONDS);
            } catch (InterruptedException e) {
                r.r1 = -3; // nobody interrupts this thread: shows up as a forbidden outcome
            }
            r.r2 = (int) code(events[0]);
        }

        @Arbiter
        public void leftInRing(III_Result r) {
            r.r3 = Math.max(0, ring.pollEvents(1, CompletionEvent.newArray(1)));
        }
    }

    @JCStressTest
    @Outcome(id = "1, 4044, 0", expect = ACCEPTABLE, desc = "Got the event before the timeout; nothing left in the ring")
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "Timed out empty-handed; the event was still in the ring afterwards")
    @Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "Timed out empty-handed and the event was not in the ring either: lost")
    @Outcome(id = "1, 4044, 1", expect = FORBIDDEN, desc = "Got the event and it was still in the ring afterwards: delivered twice")
    @Outcome(expect = FORBIDDEN, desc = "Something else: a torn event or an impossible count")
    @State
    public static class TimeoutAndInterrupt_02_CompletionRacesExpiringTimeoutDefaultSpin {
        private final CompletionRing ring = CompletionRing.create(1);
        private final CompletionEvent[] events = CompletionEvent.newArray(1);

        public TimeoutAndInterrupt_02_CompletionRacesExpiringTimeoutDefaultSpin() {
            ring.trySubmit();
        }

        @Actor
        public void producer() {
            Rounds.randomPause(PRODUCER_DELAY_SPINS);
            ring.complete(4, 44);
        }

        @Actor
        public void reaper(III_Result r) {
            try {
                r.r1 = ring.getEvents(1, 1, events, 20, TimeUnit.MICROSECONDS);
            } catch (InterruptedException e) {
                r.r1 = -3; // nobody interrupts this thread: shows up as a forbidden outcome
            }
            r.r2 = (int) code(events[0]);
        }

        @Arbiter
        public void leftInRing(III_Result r) {
            r.r3 = Math.max(0, ring.pollEvents(1, CompletionEvent.newArray(1)));
        }
    }

    /**
     * The reaper waits with a timeout that never expires here; the other actor interrupts it and completes the
     * event, in the order {@link #interruptFirst} says, with random pauses around. The reaper leaves only after the
     * interrupt was sent, and clears its interrupt status, so no interrupt leaks into the next sample.
     */
    abstract static class InterruptRace {
        private final CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        private final CompletionEvent[] events = CompletionEvent.newArray(1);
        private volatile Thread reaperThread;
        private volatile boolean interruptSent;

        InterruptRace() {
            ring.trySubmit();
        }

        abstract boolean interruptFirst();

        void reap(III_Result r) {
            reaperThread = Thread.currentThread();
            try {
                r.r1 = ring.getEvents(1, 1, events, NO_EXPIRY_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                r.r1 = -2;
            }
            r.r2 = (int) code(events[0]);
            while (!interruptSent) {
                Thread.onSpinWait();
            }
            Thread.interrupted();
        }

        void interruptAndComplete() {
            while (reaperThread == null) {
                Thread.onSpinWait();
            }
            Rounds.randomPause(64);
            if (interruptFirst()) {
                reaperThread.interrupt();
                Rounds.randomPause(64);
                ring.complete(4, 44);
            } else {
                ring.complete(4, 44);
                Rounds.randomPause(64);
                reaperThread.interrupt();
            }
            interruptSent = true;
        }

        void leftInRing(III_Result r) {
            r.r3 = Math.max(0, ring.pollEvents(1, CompletionEvent.newArray(1)));
        }
    }

    @JCStressTest
    @Outcome(id = "1, 4044, 0", expect = ACCEPTABLE, desc = "Got the event despite the interrupt; nothing left in the ring")
    @Outcome(id = "-2, 0, 1", expect = ACCEPTABLE, desc = "Threw InterruptedException empty-handed; the event was still in the ring afterwards")
    @Outcome(id = "-2, 0, 0", expect = FORBIDDEN, desc = "Threw InterruptedException and the event was not in the ring either: lost")
    @Outcome(id = "1, 4044, 1", expect = FORBIDDEN, desc = "Got the event and it was still in the ring afterwards: delivered twice")
    @Outcome(id = "0, 0, 1", expect = FORBIDDEN, desc = "Returned empty-handed without an exception before its timeout")
    @Outcome(expect = FORBIDDEN, desc = "Something else: a torn event or an impossible count")
    @State
    public static class TimeoutAndInterrupt_03_InterruptThenCompletion extends InterruptRace {
        @Override
        boolean interruptFirst() {
            return true;
        }

        @Actor
        public void reaper(III_Result r) {
            reap(r);
        }

        @Actor
        public void interrupter() {
            interruptAndComplete();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            leftInRing(r);
        }
    }

    @JCStressTest
    @Outcome(id = "1, 4044, 0", expect = ACCEPTABLE, desc = "Got the event despite the interrupt; nothing left in the ring")
    @Outcome(id = "-2, 0, 1", expect = FORBIDDEN, desc = "Threw InterruptedException although the event was completed before the interrupt: it was hidden")
    @Outcome(id = "-2, 0, 0", expect = FORBIDDEN, desc = "Threw InterruptedException and the event was not in the ring either: lost")
    @Outcome(id = "1, 4044, 1", expect = FORBIDDEN, desc = "Got the event and it was still in the ring afterwards: delivered twice")
    @Outcome(id = "0, 0, 1", expect = FORBIDDEN, desc = "Returned empty-handed without an exception before its timeout")
    @Outcome(expect = FORBIDDEN, desc = "Something else: a torn event or an impossible count")
    @State
    public static class TimeoutAndInterrupt_04_CompletionThenInterrupt extends InterruptRace {
        @Override
        boolean interruptFirst() {
            return false;
        }

        @Actor
        public void reaper(III_Result r) {
            reap(r);
        }

        @Actor
        public void interrupter() {
            interruptAndComplete();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            leftInRing(r);
        }
    }
}
