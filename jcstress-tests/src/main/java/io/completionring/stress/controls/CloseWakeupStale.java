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
 * Negative control for ordering point 5, close's wake-up of parked waiters: a small ring-shaped copy of the protocol
 * ({@link MiniRing}) in which {@code close()} publishes "closed" with a release store and then reads the waiter word
 * with an acquire load. The real ring sets the closed bit with {@code getAndBitwiseOr} on submitted (a volatile
 * read-modify-write: a full fence on x86), then {@code setVolatile(closed)}, and only then reads both waiter words,
 * so those loads cannot pass the closing stores. Here they can: close sees no waiter, the reaper sees the ring still
 * open, and it parks on a closed ring. The reaper's side is intact (publish itself, full fence, re-check, park), and
 * the scenario is the real ring's {@code Close_04_ManyRoundsCloseRacesPark}, with its hand-shake ({@link Rounds}).
 * Parked submitters wait on the same pairing (their supply becomes infinite once closed); the reaper stands for both.
 * Run without CPU affinity ({@code -af NONE}).
 *
 * <p>Results on this machine (the sixth of six reliability runs with {@code run.sh}'s controls-pairings options,
 * {@code -m sanity -time 3000 -af NONE -sc false -jvmArgs -Xmx256m}, 2026-12-01 23:16 UTC, JDK 17, 2 cores): the
 * JVM configurations, samples and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   Control_06_ManyRoundsReaperParkedAfterClose: 2 configs, 152 samples, 2 forbidden in 2 of 2 configs -- SHOWN FAILING
 *       STALE                           2  FORBIDDEN
 *       TERMINATED                    150  acceptable
 * </pre>
 */
public final class CloseWakeupStale {

    private CloseWakeupStale() {
    }

    /**
     * Many rounds per sample, each on its own empty ring, so that a wake-up lost in one round cannot be rescued by the
     * next round's close; the close lands at random points of the reaper's publish / re-check / park steps.
     */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "In every round the reaper woke on close and returned -1")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "In some round the reaper stayed parked on a closed, empty ring: close's wake-up lost")
    @State
    public static class Control_06_ManyRoundsReaperParkedAfterClose {
        private final MiniRing[] rings = new MiniRing[Rounds.ROUNDS];
        private final Rounds rounds = new Rounds();

        public Control_06_ManyRoundsReaperParkedAfterClose() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rings[i] = new MiniRing();
            }
        }

        @Actor
        public void reaper() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.announce(i);
                rings[i].getEvents();
            }
        }

        @Signal
        public void closer() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.awaitAnnounced(i);
                rings[i].closeWithoutFullOrdering();
            }
        }
    }

    /**
     * An empty ring with nothing in flight, cut down to its closed flag and one parked reaper, with the full ordering
     * between close's store and its waiter check removed.
     */
    static final class MiniRing {
        private static final VarHandle CLOSED;
        private static final VarHandle WAITER;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                CLOSED = lookup.findVarHandle(MiniRing.class, "closed", boolean.class);
                WAITER = lookup.findVarHandle(MiniRing.class, "waiter", Thread.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private boolean closed;
        private Thread waiter;

        /**
         * close(): publish "closed", then look for a parked reaper. Removed: the full ordering between the two (the
         * ring's getAndBitwiseOr on submitted and setVolatile of closed before its volatile waiter reads).
         */
        void closeWithoutFullOrdering() {
            CLOSED.setRelease(this, true);                      // release only: the load below may pass it
            final Thread w = (Thread) WAITER.getAcquire(this);  // acquire only: may be satisfied before the store
            if (w != null) {
                LockSupport.unpark(w);
            }
        }

        /**
         * getEvents(1, 1) on an empty ring with nothing in flight: waits until the ring is closed, then returns -1.
         * Intact: publish, full fence, re-check, park.
         */
        int getEvents() {
            while (!(boolean) CLOSED.getAcquire(this)) {
                WAITER.setRelease(this, Thread.currentThread());
                VarHandle.fullFence();
                if (!(boolean) CLOSED.getAcquire(this)) {
                    LockSupport.park(this);
                }
                WAITER.setRelease(this, null);
            }
            return -1;
        }
    }
}
