package io.completionring.stress.controls;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import io.completionring.stress.Rounds;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The asymmetric seed-000 fence in a copy of the wake-up protocol: the ring-shaped {@code MiniRing} of {@link
 * SeedLostWakeupStale}, with the library's {@code Fence} halves. The producer keeps its tail store before its look
 * at the waiter word with a compiler barrier only ({@code VarHandle.releaseFence()}, no instruction on x86); the
 * reaper publishes itself, runs a full fence and then {@link Membarrier#expedite()}, which makes the producer's CPU
 * run a full barrier too, before it re-reads the tail. {@code SeedLostWakeupStale} is this copy with the
 * membarrier missing, and hangs; this one must not.
 *
 * <p>Needs JDK 22+ on Linux x86-64 or AArch64 with native access ({@code ProveIt} passes {@code
 * --enable-native-access=ALL-UNNAMED} to the test JVMs of its asymmetric checks); elsewhere the constructor throws,
 * which jcstress records as an error, and an error fails the check. Run without CPU affinity ({@code -af NONE}), with
 * the hand-shake of {@link Rounds}, like the real ring's {@code LostWakeup_05_ManyRoundsParkAtOnce}.
 *
 * <p>What it does not show: that the barrier membarrier runs on the producer's CPU, rather than the time the call
 * takes, is what closes the window. A one-off copy whose reaper busy-waited instead, as long as a membarrier call
 * takes, did not go stale either (docs/testing.md, "The asymmetric fence"): here a producer's tail store is visible
 * long before a reaper's re-read that comes microseconds after its fence. {@link HeldBackStore} measures the protocol
 * with the producer's store held back.
 */
public final class SeedLostWakeupAsymmetric {

    private SeedLostWakeupAsymmetric() {
    }

    /** Many park/wake rounds per sample, each on its own ring; the reaper's heavy half is membarrier. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The reaper got the event of every round and returned")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The reaper stayed parked in some round with that round's event in the ring: the asymmetric fence lost a wake-up")
    @State
    public static class Asymmetric_01_ManyRoundsMembarrierReaperIsWoken {
        private final AsymmetricMiniRing[] rings = new AsymmetricMiniRing[Rounds.ROUNDS];
        private final Rounds rounds = new Rounds();

        public Asymmetric_01_ManyRoundsMembarrierReaperIsWoken() {
            Membarrier.require();
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rings[i] = new AsymmetricMiniRing();
            }
        }

        @Actor
        public void reaper() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.announce(i);
                rings[i].take();
            }
        }

        @Signal
        public void producer() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.awaitAnnounced(i);
                rings[i].complete();
            }
        }
    }

    /** {@code SeedLostWakeupStale.MiniRing} with the two halves of the asymmetric fence: one reaper, one counter. */
    static final class AsymmetricMiniRing {
        private static final VarHandle TAIL;
        private static final VarHandle WAITER;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                TAIL = lookup.findVarHandle(AsymmetricMiniRing.class, "tail", long.class);
                WAITER = lookup.findVarHandle(AsymmetricMiniRing.class, "waiter", Thread.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long tail;
        /** Written only by the reaper. */
        private long head;
        private Thread waiter;

        /** The producer: publish one event, a compiler barrier (the light half), then look for a parked reaper. */
        void complete() {
            TAIL.setRelease(this, tail + 1);
            VarHandle.releaseFence();                       // the light half: keeps the store before the load (C2)
            Thread w = (Thread) WAITER.getAcquire(this);
            if (w != null) {
                LockSupport.unpark(w);
            }
        }

        /** The reaper: take one event, parking until there is one; publish, full fence, heavy half, re-check. */
        void take() {
            while ((long) TAIL.getAcquire(this) == head) {
                WAITER.setRelease(this, Thread.currentThread());
                VarHandle.fullFence();
                Membarrier.expedite();                      // the heavy half: a full barrier on the producer's CPU too
                if ((long) TAIL.getAcquire(this) == head) {
                    LockSupport.park(this);
                }
                WAITER.setRelease(this, null);
            }
            head++;
        }
    }
}
