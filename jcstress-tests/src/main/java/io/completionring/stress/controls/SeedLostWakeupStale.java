package io.completionring.stress.controls;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Negative control for seed 000 as a hang: a small ring-shaped copy of the wake-up protocol ({@link MiniRing}) whose
 * producer has no full fence between publishing the tail and checking for a parked reaper. Run without CPU affinity
 * ({@code -af NONE}): pinned, the actor and the signalling thread share one CPU and the store-load reordering behind
 * the bug cannot happen.
 *
 * <p>Results on this machine ({@code run.sh quick}, 2026-11-22 05:37 UTC, JDK 17, 2 cores): per scenario the JVM
 * configurations, samples and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   Control_02_ManyRoundsReaperGoesStale: 8 configs, 119 samples, 8 forbidden in 8 of 8 configs -- SHOWN FAILING
 *       STALE                           8  FORBIDDEN
 *       TERMINATED                    111  acceptable
 * </pre>
 */
public final class SeedLostWakeupStale {

    private SeedLostWakeupStale() {
    }

    /**
     * Many park/wake rounds per sample, each on its own ring, so that a lost wake-up in one round cannot be rescued by
     * the next round's completion. The producer waits (bounded) until the reaper has announced the round, then pauses
     * a random 0-3 spins so the completion lands at a random point of the reaper's publish / re-check / park steps.
     * The same hand-shake, round count and pauses as the real ring's {@code LostWakeup_05_ManyRoundsParkAtOnce}.
     */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The reaper got the event of every round and returned")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The reaper stayed parked in some round with that round's event in the ring: lost wake-up (seed 000)")
    @State
    public static class Control_02_ManyRoundsReaperGoesStale {
        private static final int ROUNDS = 256;
        private static final int MAX_PAUSE_SPINS = 4;
        private static final long ANNOUNCE_WAIT_NANOS = 1_000_000L;
        private final MiniRing[] rings = new MiniRing[ROUNDS];
        /** The round the reaper has reached, plus one; written only by the reaper. */
        private volatile int announced;

        public Control_02_ManyRoundsReaperGoesStale() {
            for (int i = 0; i < ROUNDS; i++) {
                rings[i] = new MiniRing();
            }
        }

        @Actor
        public void reaper() {
            for (int i = 0; i < ROUNDS; i++) {
                announced = i + 1;
                rings[i].take();
            }
        }

        @Signal
        public void producer() {
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < ROUNDS; i++) {
                final long deadline = System.nanoTime() + ANNOUNCE_WAIT_NANOS;
                while (announced <= i && System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                }
                for (int spins = random.nextInt(MAX_PAUSE_SPINS); spins > 0; spins--) {
                    Thread.onSpinWait();
                }
                rings[i].completeWithoutFence();
            }
        }
    }

    /**
     * The ring's wake-up protocol cut down to one reaper and one counter, with the producer's full fence removed.
     * The reaper side is intact: publish itself, full fence, re-check the tail, park.
     */
    static final class MiniRing {
        private static final VarHandle TAIL;
        private static final VarHandle WAITER;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                TAIL = lookup.findVarHandle(MiniRing.class, "tail", long.class);
                WAITER = lookup.findVarHandle(MiniRing.class, "waiter", Thread.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long tail;
        /** Written only by the reaper. */
        private long head;
        private Thread waiter;

        /** The producer: publish one event, then look for a parked reaper. The full fence between is missing. */
        void completeWithoutFence() {
            TAIL.setRelease(this, tail + 1);
            Thread w = (Thread) WAITER.getAcquire(this);
            if (w != null) {
                LockSupport.unpark(w);
            }
        }

        /** The reaper: take one event, parking until there is one. */
        void take() {
            while ((long) TAIL.getAcquire(this) == head) {
                WAITER.setRelease(this, Thread.currentThread());
                VarHandle.fullFence();
                if ((long) TAIL.getAcquire(this) == head) {
                    LockSupport.park(this);
                }
                WAITER.setRelease(this, null);
            }
            head++;
        }
    }
}
