package io.completionring.stress.controls;

import io.completionring.stress.Rounds;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * Negative control for ordering point 4, the seed-000 pairing on the submitters' side: a small ring-shaped copy of
 * the protocol ({@link MiniRing}) in which the reaper frees a slot with a release store of the head and then reads the
 * submitter waiter word with an acquire load. The real ring moves the head with {@code compareAndSet} (a volatile
 * read-modify-write: a full fence on x86) and then reads the waiter word with {@code getVolatile}, so that load
 * cannot pass the head store. Here it can: the reaper sees no waiter, the submitter sees the old head, and it parks
 * on a ring with a free slot. The submitter's side is intact (publish itself, full fence, re-check the head, park),
 * and the scenario is the real ring's {@code BlockedSubmitter_02_ManyRounds}, with its hand-shake ({@link Rounds}).
 * Run without CPU affinity ({@code -af NONE}): pinned, the two threads share one CPU and the store-load reordering
 * behind the bug cannot happen.
 *
 * <p>Results on this machine (the sixth of six reliability runs with {@code run.sh}'s controls-pairings options,
 * {@code -m sanity -time 3000 -af NONE -sc false -jvmArgs -Xmx256m}, 2026-12-01 23:16 UTC, JDK 17, 2 cores): the
 * JVM configurations, samples and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   Control_05_ManyRoundsSubmitterGoesStale: 2 configs, 64 samples, 2 forbidden in 2 of 2 configs -- SHOWN FAILING
 *       STALE                           2  FORBIDDEN
 *       TERMINATED                     62  acceptable
 * </pre>
 */
public final class SubmitterWakeupStale {

    private SubmitterWakeupStale() {
    }

    /**
     * Many rounds per sample, each on its own full ring, so that a wake-up lost in one round cannot be rescued by the
     * next round's reap; the reap lands at random points of the submitter's publish / re-check / park steps.
     */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "In every round the submitter got the slot the reap freed")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "In some round the submitter stayed parked though the reap had freed a slot: lost wake-up")
    @State
    public static class Control_05_ManyRoundsSubmitterGoesStale {
        private final MiniRing[] rings = new MiniRing[Rounds.ROUNDS];
        private final Rounds rounds = new Rounds();

        public Control_05_ManyRoundsSubmitterGoesStale() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rings[i] = new MiniRing();
            }
        }

        @Actor
        public void submitter() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.announce(i);
                rings[i].submit();
            }
        }

        @Signal
        public void reaper() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.awaitAnnounced(i);
                rings[i].reapWithoutFullOrdering();
            }
        }
    }

    /**
     * The submitters' half of the ring cut down to a full capacity-1 ring, one submitter and one reaper, with the full
     * ordering between the reaper's head move and its waiter check removed.
     */
    static final class MiniRing {
        private static final long CAPACITY = 1;
        private static final VarHandle HEAD;
        private static final VarHandle WAITER;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                HEAD = lookup.findVarHandle(MiniRing.class, "head", long.class);
                WAITER = lookup.findVarHandle(MiniRing.class, "waiter", Thread.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** Events reaped; written only by the reaper. */
        private long head;
        /** Slots reserved, one to start with: the ring is full. Written only by the submitter. */
        private long submitted = CAPACITY;
        private Thread waiter;

        /**
         * The reaper: take the one event (the copy of its data is left out), free its slot, then look for a parked
         * submitter. Removed: the full ordering between the two (the ring's head CAS and volatile waiter read).
         */
        void reapWithoutFullOrdering() {
            HEAD.setRelease(this, head + 1);                    // release only: the load below may pass it
            final Thread w = (Thread) WAITER.getAcquire(this);  // acquire only: may be satisfied before the store
            if (w != null) {
                LockSupport.unpark(w);
            }
        }

        /** The submitter: reserve one slot, parking until one is free. Intact: publish, full fence, re-check, park. */
        void submit() {
            while (submitted >= (long) HEAD.getAcquire(this) + CAPACITY) {
                WAITER.setRelease(this, Thread.currentThread());
                VarHandle.fullFence();
                if (submitted >= (long) HEAD.getAcquire(this) + CAPACITY) {
                    LockSupport.park(this);
                }
                WAITER.setRelease(this, null);
            }
            submitted++;
        }
    }
}
