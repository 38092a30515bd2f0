package io.completionring;

import java.lang.invoke.VarHandle;

/**
 * The two halves of the seed-000 ordering (docs/kernel-bugs.md): the producer stores the tail, then reads the
 * reapers' waiter word; a reaper about to park stores itself into the waiter word, then re-reads the tail. Dekker's
 * pattern: each side needs its store ordered before its load, or both can miss each other and the reaper sleeps on
 * an event that has arrived.
 *
 * <p>The symmetric form puts a full fence on both sides, and the producer pays it on every publication. The
 * asymmetric form (folly's {@code asymmetric_thread_fence_light/heavy}, WG21 P1202; HotSpot's own {@code
 * UseSystemMemoryBarrier}) moves the cost to the rare side: the waiter, once per park, issues {@link Membarrier},
 * which makes every running thread of the process execute a full barrier somewhere between the call's start and its
 * return; the producer then needs only to keep its store before its load in program order, a compiler barrier. Why
 * that is enough: if the producer's load of the waiter word came before the barrier point in its instruction stream,
 * so did its tail store, which the barrier makes visible before the waiter's re-read; if the load came after, the
 * waiter's store (made visible before the call) is what it reads. Either way one side sees the other.
 *
 * <p>The compiler half is outside the Java memory model, which orders a store before a later load only with a full
 * fence: it rests on HotSpot, whose compilers keep memory accesses in program order across any {@code VarHandle}
 * fence (C2 makes every one a barrier for all memory; the interpreter and C1 do not reorder them), and {@code
 * releaseFence} emits no instruction on x86. The asymmetric form is used only where {@link Membarrier#AVAILABLE}
 * (JDK 22+, Linux, native access enabled for this library); everywhere else both halves are full fences, as before.
 * jcstress proves the asymmetric form on JDK 25 with native access, and a negative control without either half
 * shows the hang (docs/testing.md).
 */
final class Fence {

    /** True if the asymmetric form is in use. */
    static final boolean ASYMMETRIC = Membarrier.AVAILABLE;

    private Fence() {
    }

    /** The producer's half, between its store of the tail and its read of the waiter word. */
    static void light() {
        if (ASYMMETRIC) {
            VarHandle.releaseFence();                       // a compiler barrier only: the waiter pays the rest
        } else {
            VarHandle.fullFence();
        }
    }

    /**
     * The heavy half for a waiter whose store was already followed by a full fence (a volatile read-modify-write):
     * only the part the light half leaves to the waiter.
     */
    static void heavyAfterFullFence() {
        if (ASYMMETRIC) {
            Membarrier.expedite();
        }
    }

    /** The waiter's half, between its store into the waiter word and its re-read of the tail. */
    static void heavy() {
        VarHandle.fullFence();
        if (ASYMMETRIC) {
            Membarrier.expedite();                          // a barrier on the producer's CPU too
        }
    }
}
