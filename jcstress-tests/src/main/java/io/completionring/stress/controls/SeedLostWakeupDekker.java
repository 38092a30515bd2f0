package io.completionring.stress.controls;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Negative control for seed 000 (the 2.6.24 io_getevents hang), reduced to its core: the producer stores the tail and
 * then loads the waiter word; a reaper stores the waiter word and then loads the tail. Stores are releases and loads
 * acquires, exactly as in the ring, but the full fence between the store and the load is removed on both sides. x86
 * may let each load pass the older store to a different address, so both sides can miss each other: the producer
 * sees no waiter and skips the unpark, the reaper sees the old tail and parks. That outcome is FORBIDDEN here and this
 * control must show it; if it ever stops doing so, the same kind of test on the real ring proves nothing.
 *
 * <p>Why both sides: the seed's patch added the producer's barrier only. With the reaper's fence kept and only the producer's removed, this two-operation test showed the
 * forbidden outcome 0 times in two {@code -m sanity -time 100} runs here (93,624 and 80,253 samples): the window is
 * too narrow for one sample per rendezvous. The one-sided removal is shown instead by {@link SeedLostWakeupStale},
 * whose ring copy keeps the reaper's fence and still hangs.
 *
 * <p>Results on this machine ({@code run.sh quick}, 2026-11-22 05:37 UTC, JDK 17, 2 cores): per scenario the JVM
 * configurations, samples and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   Control_01_NoFenceBetweenTailAndWaiterCheck: 28 configs, 3,427,446 samples, 49,225 forbidden in 26 of 28 configs -- SHOWN FAILING
 *       0, 0                       49,225  FORBIDDEN
 *       0, 1                      635,035  acceptable
 *       1, 0                    2,626,129  acceptable
 *       1, 1                      117,057  acceptable
 * </pre>
 */
public final class SeedLostWakeupDekker {

    private SeedLostWakeupDekker() {
    }

    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Producer saw the waiter and the reaper saw the new tail: a spare wake-up, harmless")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "Producer saw the waiter, the reaper saw the old tail and parks: the producer unparks it")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "Producer saw no waiter, the reaper saw the new tail and does not park")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "Producer saw no waiter AND the reaper saw the old tail: the reaper parks and nobody wakes it (seed 000)")
    @State
    public static class Control_01_NoFenceBetweenTailAndWaiterCheck {
        private static final VarHandle TAIL;
        private static final VarHandle WAITERS;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                TAIL = lookup.findVarHandle(Control_01_NoFenceBetweenTailAndWaiterCheck.class, "tail", long.class);
                WAITERS = lookup.findVarHandle(Control_01_NoFenceBetweenTailAndWaiterCheck.class, "waiters", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long tail;
        private int waiters;

        /** The producer's side of complete(): publish the tail, then (fence removed) look for parked reapers. */
        @Actor
        public void producer(II_Result r) {
            TAIL.setRelease(this, 1L);
            r.r1 = (int) WAITERS.getAcquire(this);
        }

        /** The reaper's side of getEvents(): publish itself as a waiter, then (fence removed) re-check the tail. */
        @Actor
        public void reaper(II_Result r) {
            WAITERS.setRelease(this, 1);
            r.r2 = (long) TAIL.getAcquire(this) == 1L ? 1 : 0;
        }
    }
}
