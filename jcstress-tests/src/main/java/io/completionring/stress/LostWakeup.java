package io.completionring.stress;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

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
 * Ordering point 3 (seed 000, the 2.6.24 io_getevents hang): the producer stores the tail, full fence, then looks for
 * parked reapers; a reaper publishes itself as a waiter, full fence, then re-checks the tail before it parks. Without
 * either fence both sides can miss each other and the reaper sleeps forever with its event in the ring: STALE.
 *
 * <p>These tests must run with {@code -af NONE}: jcstress pins a Termination test's actor and signal to one CPU by
 * default, and on one CPU the store-load reordering behind the hang cannot happen (see docs/testing.md, "What the
 * jcstress settings rest on", and the negative control {@code SeedLostWakeupStale}, which goes STALE with {@code -af
 * NONE}). The single-round scenarios
 * test waking a reaper that is already parked (jcstress calls the signal a millisecond or more after the actor
 * starts); the {@code ManyRounds} scenarios race the completion against the park itself (see {@link Rounds}).
 * A wrong answer from getEvents is thrown, which jcstress records as ERROR.
 *
 * <p>On JDK 22+ {@code ProveIt} runs these tests twice: as they are, and with native access enabled, where the
 * library's fence is asymmetric (the producer's half a compiler barrier, the reaper's a full fence and membarrier;
 * see {@link FenceForm}). Each constructor calls {@link FenceForm#requireExpected()}, so a test JVM of the second run
 * that does not use the asymmetric form errors instead of passing.
 *
 * <p>Results on this machine ({@code run.sh quick}, 2026-11-22 05:37 UTC, JDK 17, 2 cores): per scenario the JVM
 * configurations, samples and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   LostWakeup_01_ParkedAtOnceReaperIsWoken: 8 configs, 1,730 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                  1,730  acceptable
 *   LostWakeup_02_DefaultSpinReaperIsWoken: 8 configs, 1,918 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                  1,918  acceptable
 *   LostWakeup_03_TwoParkedReapersTwoEvents: 8 configs, 1,602 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                  1,602  acceptable
 *   LostWakeup_04_MinNrTwoCompletedOneByOne: 8 configs, 1,745 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                  1,745  acceptable
 *   LostWakeup_05_ManyRoundsParkAtOnce: 8 configs, 343 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                    343  acceptable
 *   LostWakeup_06_ManyRoundsDefaultSpin: 8 configs, 225 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                    225  acceptable
 *   LostWakeup_07_ManyRoundsMinNrTwo: 8 configs, 273 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                    273  acceptable
 * </pre>
 * Added later, {@code run.sh quick} inside {@code .ci/run} on a fresh clone of commit 6a485ab (2026-11-30 14:50 UTC,
 * Termination tests at -time 2000):
 * <pre>
 *   LostWakeup_08_ManyRoundsTwoReapersDefaultSpin: 8 configs, 1,071 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                  1,071  acceptable
 * </pre>
 */
public final class LostWakeup {

    private LostWakeup() {
    }

    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The parked reaper was woken and returned the event")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The reaper stayed parked with the event in the ring: lost wake-up (seed 000)")
    @State
    public static class LostWakeup_01_ParkedAtOnceReaperIsWoken {
        private final CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        private final CompletionEvent[] events = CompletionEvent.newArray(1);

        public LostWakeup_01_ParkedAtOnceReaperIsWoken() {
            FenceForm.requireExpected();
            ring.trySubmit();
        }

        @Actor
        public void reaper() throws InterruptedException {
            require(ring.getEvents(1, 1, events) == 1 && code(events[0]) == 1011, "getEvents(1, 1) returned without the event");
        }

        @Signal
        public void producer() {
            ring.complete(1, 11);
        }
    }

    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The reaper (default spin, then park) was woken and returned the event")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The reaper stayed parked with the event in the ring: lost wake-up (seed 000)")
    @State
    public static class LostWakeup_02_DefaultSpinReaperIsWoken {
        private final CompletionRing ring = CompletionRing.create(1);
        private final CompletionEvent[] events = CompletionEvent.newArray(1);

        public LostWakeup_02_DefaultSpinReaperIsWoken() {
            FenceForm.requireExpected();
            ring.trySubmit();
        }

        @Actor
        public void reaper() throws InterruptedException {
            require(ring.getEvents(1, 1, events) == 1 && code(events[0]) == 1011, "getEvents(1, 1) returned without the event");
        }

        @Signal
        public void producer() {
            ring.complete(1, 11);
        }
    }

    /**
     * Two parked reapers, two events completed one after the other: each wake-up targets one waiter, so both must
     * be woken. The actor starts the second reaper, reaps itself, then joins the second.
     */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "Both parked reapers were woken and each returned one event")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "A reaper stayed parked although an event was there for it: lost or misdirected wake-up")
    @State
    public static class LostWakeup_03_TwoParkedReapersTwoEvents {
        private final CompletionRing ring = CompletionRing.builder().capacity(2).spinBudget(0).build();
        private final CompletionEvent[] events1 = CompletionEvent.newArray(1);
        private final CompletionEvent[] events2 = CompletionEvent.newArray(1);
        private volatile int taken2 = -2;

        public LostWakeup_03_TwoParkedReapersTwoEvents() {
            FenceForm.requireExpected();
            ring.trySubmit(2);
        }

        @Actor
        public void reapers() throws InterruptedException {
            final Thread second = new Thread(() -> {
                try {
                    taken2 = ring.getEvents(1, 1, events2);
                } catch (InterruptedException e) {
                    taken2 = -3;
                }
            });
            second.setDaemon(true);
            second.start();
            final int taken1 = ring.getEvents(1, 1, events1);
            second.join();
            require(taken1 == 1 && taken2 == 1, "a getEvents(1, 1) returned " + taken1 + " and " + taken2);
            require(code(events1[0]) + code(events2[0]) == 1011 + 2022 && code(events1[0]) != code(events2[0]),
                    "the two reapers got " + code(events1[0]) + " and " + code(events2[0]));
        }

        @Signal
        public void producer() {
            ring.complete(1, 11);
            ring.complete(2, 22);
        }
    }

    /** minNr 2 and two completions one by one: the first must not satisfy the reaper, the second must wake it. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The reaper waiting for two events was woken once both were there")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The reaper stayed parked with both events in the ring: lost wake-up for the remaining need")
    @State
    public static class LostWakeup_04_MinNrTwoCompletedOneByOne {
        private final CompletionRing ring = CompletionRing.builder().capacity(2).spinBudget(0).build();
        private final CompletionEvent[] events = CompletionEvent.newArray(2);

        public LostWakeup_04_MinNrTwoCompletedOneByOne() {
            FenceForm.requireExpected();
            ring.trySubmit(2);
        }

        @Actor
        public void reaper() throws InterruptedException {
            require(ring.getEvents(2, 2, events) == 2 && code(events[0]) == 1011 && code(events[1]) == 2022,
                    "getEvents(2, 2) returned without both events in order");
        }

        @Signal
        public void producer() {
            ring.complete(1, 11);
            Rounds.randomPause(64);
            ring.complete(2, 22);
        }
    }

    /** Many rounds per sample, each on its own ring, the completion landing at random points of the park (spin 0). */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "In every round the reaper got its event and returned")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "In some round the reaper stayed parked with the event in the ring: lost wake-up (seed 000)")
    @State
    public static class LostWakeup_05_ManyRoundsParkAtOnce {
        private final CompletionRing[] rings = rings(Rounds.ROUNDS, 1, 0, 1);
        private final CompletionEvent[] events = CompletionEvent.newArray(1);
        private final Rounds rounds = new Rounds();

        public LostWakeup_05_ManyRoundsParkAtOnce() {
            FenceForm.requireExpected();
        }

        @Actor
        public void reaper() throws InterruptedException {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.announce(i);
                require(rings[i].getEvents(1, 1, events) == 1 && events[0].userData() == i, "round " + i + ": no event");
            }
        }

        @Signal
        public void producer() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.awaitAnnounced(i);
                rings[i].complete(i, i);
            }
        }
    }

    /** As ManyRoundsParkAtOnce, with the default spin budget: the completion also lands during the spin. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "In every round the reaper got its event and returned")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "In some round the reaper stayed parked with the event in the ring: lost wake-up (seed 000)")
    @State
    public static class LostWakeup_06_ManyRoundsDefaultSpin {
        private final CompletionRing[] rings = rings(Rounds.ROUNDS, 1, -1, 1);
        private final CompletionEvent[] events = CompletionEvent.newArray(1);
        private final Rounds rounds = new Rounds();

        public LostWakeup_06_ManyRoundsDefaultSpin() {
            FenceForm.requireExpected();
        }

        @Actor
        public void reaper() throws InterruptedException {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.announce(i);
                require(rings[i].getEvents(1, 1, events) == 1 && events[0].userData() == i, "round " + i + ": no event");
            }
        }

        @Signal
        public void producer() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.awaitAnnounced(i);
                rings[i].complete(i, i);
            }
        }
    }

    /** Many rounds of minNr 2: the second completion lands at random points of the park for the remaining need. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "In every round the reaper got both events and returned")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "In some round the reaper stayed parked with both events in the ring: lost wake-up")
    @State
    public static class LostWakeup_07_ManyRoundsMinNrTwo {
        private final CompletionRing[] rings = rings(Rounds.ROUNDS, 2, 0, 2);
        private final CompletionEvent[] events = CompletionEvent.newArray(2);
        private final Rounds rounds = new Rounds();

        public LostWakeup_07_ManyRoundsMinNrTwo() {
            FenceForm.requireExpected();
        }

        @Actor
        public void reaper() throws InterruptedException {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.announce(i);
                require(rings[i].getEvents(2, 2, events) == 2 && events[1].userData() == i, "round " + i + ": not both events");
            }
        }

        @Signal
        public void producer() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.awaitAnnounced(i);
                rings[i].complete(-i, -i);
                Rounds.randomPause(4);
                rings[i].complete(i, i);
            }
        }
    }

    /**
     * Many rounds of two reapers with the default spin budget, two events per round: the spinner hand-off. On two
     * cores at most one reaper spins (the spin policy caps spinners at processors - 1), and while it spins the
     * producer leaves the parked one alone; the spinner must pass the event it does not take on to the parked reaper
     * (passOn after spinning). A hand-off it drops leaves the parked reaper asleep with its event in the ring.
     */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "In every round both reapers got one event each and returned")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "In some round a reaper stayed parked with its event in the ring: a spinner dropped the hand-off")
    @State
    public static class LostWakeup_08_ManyRoundsTwoReapersDefaultSpin {
        private final CompletionRing[] rings = rings(Rounds.ROUNDS, 2, -1, 2);
        private final long[] got1 = new long[Rounds.ROUNDS];
        private final long[] got2 = new long[Rounds.ROUNDS];
        private final Rounds rounds = new Rounds();
        private volatile String secondFailure;

        public LostWakeup_08_ManyRoundsTwoReapersDefaultSpin() {
            FenceForm.requireExpected();
        }

        @Actor
        public void reapers() throws InterruptedException {
            final Thread second = new Thread(() -> {
                final CompletionEvent[] events = CompletionEvent.newArray(1);
                try {
                    for (int i = 0; i < Rounds.ROUNDS; i++) {
                        if (rings[i].getEvents(1, 1, events) != 1) {
                            secondFailure = "round " + i + ": second reaper got no event";
                            return;
                        }
                        got2[i] = code(events[0]);
                    }
                } catch (InterruptedException e) {
                    secondFailure = "second reaper interrupted";
                }
            });
            second.setDaemon(true);
            second.start();
            final CompletionEvent[] events = CompletionEvent.newArray(1);
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.announce(i);
                require(rings[i].getEvents(1, 1, events) == 1, "round " + i + ": first reaper got no event");
                got1[i] = code(events[0]);
            }
            second.join();                                  // orders the second reaper's writes before the checks
            require(secondFailure == null, secondFailure);
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                require(got1[i] + got2[i] == 1011 + 2022 && got1[i] != got2[i],
                        "round " + i + ": the reapers got " + got1[i] + " and " + got2[i]);
            }
        }

        @Signal
        public void producer() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.awaitAnnounced(i);
                rings[i].complete(1, 11);
                Rounds.randomPause(4);
                rings[i].complete(2, 22);
            }
        }
    }

    /** {@code count} rings of the given capacity and spin budget (-1: default), each with {@code submitted} reserved. */
    static CompletionRing[] rings(int count, int capacity, int spinBudget, int submitted) {
        final CompletionRing[] rings = new CompletionRing[count];
        for (int i = 0; i < count; i++) {
            final CompletionRing.Builder builder = CompletionRing.builder().capacity(capacity);
            rings[i] = (spinBudget < 0 ? builder : builder.spinBudget(spinBudget)).build();
            require(submitted == 0 || rings[i].trySubmit(submitted), "could not reserve " + submitted);
        }
        return rings;
    }
}
