package io.completionring.stress.controls;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;
import org.openjdk.jcstress.infra.results.JJJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Negative controls for seed 004 (the 2003 aio_complete / aio_read_evt barrier fix), as small copies of one slot and
 * its counters. The ring orders (1) event data before the tail with a release store, and (2) the reaper's read of the
 * slot before its head CAS. A plain store or a plain read gives the compiler and a weakly ordered CPU (the seed's
 * ia64) the right to move the access across the other one; on x86 hardware such plain accesses in the right program
 * order are caught only rarely (docs/testing.md: 456 in 4.4e8 samples, only with the C2 stress flags), so each control
 * here performs the reordering that a missing barrier permits in program order. That shows, on every run, that the
 * same kind of test as Publication / SlotReuse sees the stale or torn event when it happens.
 *
 * <p>Results on this machine ({@code run.sh quick}, 2026-11-22 05:37 UTC, JDK 17, 2 cores): per scenario the JVM
 * configurations, samples and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   Control_03_TailStoredBeforeEventData: 28 configs, 3,335,093 samples, 1,143 forbidden in 28 of 28 configs -- SHOWN FAILING
 *       0, 0, 0                 2,782,334  acceptable
 *       1, 0, 0                       692  FORBIDDEN
 *       1, 0, 4242                     52  FORBIDDEN
 *       1, 42, 0                      399  FORBIDDEN
 *       1, 42, 4242               551,616  acceptable
 *   Control_04_HeadMovedBeforeEventRead: 28 configs, 2,636,511 samples, 3,267 forbidden in 27 of 28 configs -- SHOWN FAILING
 *       1, 1, 11, 0             2,295,597  acceptable
 *       1, 1, 11, 1               337,647  acceptable
 *       1, 1, 22, 1                   679  FORBIDDEN
 *       1, 2, 11, 1                   139  FORBIDDEN
 *       1, 2, 22, 1                 2,449  FORBIDDEN
 * </pre>
 */
public final class SeedTornEvent {

    private SeedTornEvent() {
    }

    @JCStressTest
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "Saw the old tail: no event")
    @Outcome(id = "1, 42, 4242", expect = ACCEPTABLE, desc = "Saw the new tail and exactly the completed pair")
    @Outcome(expect = FORBIDDEN, desc = "Saw the new tail but read an old or half-written event (seed 004)")
    @State
    public static class Control_03_TailStoredBeforeEventData {
        private static final VarHandle TAIL;

        static {
            try {
                TAIL = MethodHandles.lookup().findVarHandle(Control_03_TailStoredBeforeEventData.class, "tail", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long tail;
        private long userData;
        private long result;

        /** complete() with the tail stored plainly, made visible before the event it publishes. */
        @Actor
        public void producer() {
            TAIL.set(this, 1L);
            userData = 42;
            result = 4242;
        }

        /** The reaper exactly as in the ring: acquire load of the tail, then the slot. */
        @Actor
        public void reaper(JJJ_Result r) {
            if ((long) TAIL.getAcquire(this) == 1L) {
                r.r1 = 1;
                r.r2 = userData;
                r.r3 = result;
            }
        }
    }

    @JCStressTest
    @Outcome(id = "1, 1, 11, 0", expect = ACCEPTABLE, desc = "Took lap n intact; the producer saw the head unmoved and did not reuse the slot")
    @Outcome(id = "1, 1, 11, 1", expect = ACCEPTABLE, desc = "Took lap n intact; the producer then reused the slot for lap n+1")
    @Outcome(expect = FORBIDDEN, desc = "Read lap n+1's data, or a mix of laps, for lap n: the slot was reused under the reader (seed 004)")
    @State
    public static class Control_04_HeadMovedBeforeEventRead {
        private static final VarHandle HEAD;
        private static final VarHandle TAIL;

        static {
            try {
                final MethodHandles.Lookup lookup = MethodHandles.lookup();
                HEAD = lookup.findVarHandle(Control_04_HeadMovedBeforeEventRead.class, "head", long.class);
                TAIL = lookup.findVarHandle(Control_04_HeadMovedBeforeEventRead.class, "tail", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** A one-slot ring holding lap n = (1, 11), published: tail 1, head 0. */
        private long head;
        private long tail = 1;
        private long userData = 1;
        private long result = 11;

        /** getEvents with the head moved before the slot is read. */
        @Actor
        public void reaper(JJJJ_Result r) {
            if ((long) TAIL.getAcquire(this) > (long) HEAD.getVolatile(this)) {
                HEAD.setVolatile(this, 1L);
                r.r1 = 1;
                r.r2 = userData;
                r.r3 = result;
            }
        }

        /** The producer as in the ring: once the head shows the slot free, write lap n+1 into it and publish it. */
        @Actor
        public void producer(JJJJ_Result r) {
            if ((long) HEAD.getAcquire(this) == 1L) {
                userData = 2;
                result = 22;
                TAIL.setRelease(this, 2L);
                r.r4 = 1;
            }
        }
    }
}
