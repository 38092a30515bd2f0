package io.completionring;

import java.lang.invoke.MethodHandles;
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
 * (JDK 22+, Linux, native access enabled for this library); everywhere else both halves are full fences.
 *
 * <p><b>A failed barrier.</b> The kernel may refuse a {@code membarrier} call (it allocates a cpumask, and can fail
 * with {@code -ENOMEM}). The process then leaves the asymmetric form for good, in two steps of {@link #mode}:
 * <ol>
 * <li>{@code ASYMMETRIC -> SWITCHING}, by the thread whose barrier failed. From then on producers use the full fence.
 * A producer that read the old mode and is between its store and its load with only the compiler barrier may still
 * miss a waiter, and waiters cannot know when every such producer is past that point; so a waiter in this mode still
 * issues the barrier, which covers such a producer exactly as in the asymmetric form, and when its barrier fails too,
 * it does not rely on being signalled: {@link #heavy()} returns false and the waiter parks with a timeout, re-checking
 * the supply after each park ({@link WaitQueue}), as does the thread whose barrier failed first.
 * <li>{@code SWITCHING -> SYMMETRIC}, by the first thread whose barrier succeeds after it read {@code SWITCHING}. In
 * each producer's instruction stream, its barrier point either precedes the producer's next read of the mode, which
 * then returns {@code SWITCHING} or later (visible before the call), so that publication and every later one use the
 * full fence; or follows it, and then the producer's store, which precedes its read of the mode, was made visible by
 * the barrier before the call returned. Either way no producer is left between a store and a load with the compiler
 * barrier alone once the mode is {@code SYMMETRIC}, and waiters need only their full fence.
 * </ol>
 * docs/design.md ("A failed membarrier") gives the argument in full.
 */
final class Fence {

    /** True if the process started with the asymmetric form available (it may have left it since: {@link #mode}). */
    static final boolean ASYMMETRIC = Membarrier.AVAILABLE;

    /** The values of {@link #mode}, in the only order it moves through them. */
    static final int MODE_ASYMMETRIC = 0;
    static final int MODE_SWITCHING = 1;
    static final int MODE_SYMMETRIC = 2;

    private static final VarHandle MODE;

    static {
        try {
            MODE = MethodHandles.lookup().findStaticVarHandle(Fence.class, "mode", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Where the process stands, when {@link #ASYMMETRIC}: {@code MODE_ASYMMETRIC} until a barrier fails, then {@code
     * MODE_SWITCHING} until a barrier succeeds, then {@code MODE_SYMMETRIC} for good. Without the asymmetric form it
     * stays {@code MODE_ASYMMETRIC} and nobody reads it. Declared volatile so that the producer's read (the only
     * access on a fast path) is a plain volatile load, without the VarHandle linkage that the JIT would have to
     * inline at every publication; written only through {@link #MODE}.
     */
    private static volatile int mode;

    private Fence() {
    }

    /** The producer's half, between its store of the tail and its read of the waiter word. */
    static void light() {
        // Volatile: read afresh at every publication (a plain read could be hoisted out of a producer's loop); one
        // load of a line nobody writes but once.
        if (ASYMMETRIC && mode == MODE_ASYMMETRIC) {
            VarHandle.releaseFence();                       // a compiler barrier only: the waiter pays the rest
        } else {
            VarHandle.fullFence();
        }
    }

    /**
     * The waiter's half, between its store into the waiter word and its re-read of the tail. Returns true if the
     * waiter may park until it is signalled; false if a producer may have missed it (a barrier failed: see the class
     * comment), and it must park with a timeout and re-check.
     */
    static boolean heavy() {
        VarHandle.fullFence();
        return heavyAfterFullFence();
    }

    /**
     * The heavy half for a waiter whose store was already followed by a full fence (a volatile read-modify-write):
     * only the part the light half leaves to the waiter. Returns what {@link #heavy()} returns.
     */
    static boolean heavyAfterFullFence() {
        if (!ASYMMETRIC) {
            return true;
        }
        final int m = (int) MODE.getVolatile();             // before the barrier: see step 2 of the class comment
        if (m == MODE_SYMMETRIC) {
            return true;
        }
        if (Membarrier.expedite()) {                        // a barrier on every producer's CPU too
            if (m == MODE_SWITCHING) {
                MODE.compareAndSet(MODE_SWITCHING, MODE_SYMMETRIC);
            }
            return true;
        }
        MODE.compareAndSet(MODE_ASYMMETRIC, MODE_SWITCHING); // producers use the full fence from now on
        return false;
    }

    /** The mode now (for tests). */
    static int mode() {
        return (int) MODE.getVolatile();
    }
}
