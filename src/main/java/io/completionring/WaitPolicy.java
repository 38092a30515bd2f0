package io.completionring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * How the waiting threads of one {@link WaitQueue} spend the time before they park: spin, then yield, then park. A
 * visible three-state machine, run by {@link WaitQueue#await}:
 *
 * <pre>{@code
 * int phase = policy.tryStartActive();            // SPIN while a core is free for it, else YIELD, else NONE
 * if (phase != NONE) {
 *     try {
 *         if (phase == SPIN) {                     // SPIN: onSpinWait rounds, 1, 2, 4 ... MAX_PAUSE between looks
 *             for (pause...) { if (satisfied()) return; pause(pause); }
 *             policy.spinToYield();                // out of spins: give the spinner place back, stay active
 *         }
 *         while (now < yieldEnd) {                 // YIELD: let whatever else wants this core run, then look again
 *             if (satisfied()) return;
 *             Thread.yield();
 *         }
 *     } finally {
 *         policy.stopActive(phase);
 *     }
 * }
 * park();                                          // PARK: publish, fence, re-check, park (see WaitQueue)
 * }</pre>
 *
 * <p>Spinning makes a wake-up cost a cache miss instead of an unpark and a trip through the scheduler, but only when
 * the spinner has a core of its own: a spinner that shares a core with the producer delays the very events it waits
 * for. So at most {@code availableProcessors - 1} threads of a queue spin at once, leaving a core for the producer.
 * Yielding costs a system call per look (about a microsecond) but gives the core away whenever another thread wants
 * it, so a yielding reaper that shares the producer's core takes little from it; and, above all, a thread that has
 * not parked needs no unpark. Parking costs the thread that wakes it an unpark system call (several microseconds),
 * which is the cost this policy exists to avoid while events keep coming. At most {@code availableProcessors}
 * threads of a queue are active (spinning or yielding) at once; the others park at once.
 *
 * <p>Both budgets adapt ({@link #spinEnded}, {@link #yieldEnded}): they shrink while the phases end empty-handed and
 * grow back while they succeed, so waiters stop burning a core where events are sparse.
 *
 * <p>The count of active threads also saves wake-ups: while a thread is active, the signalling side leaves parked
 * threads alone, because the active thread will see the new supply first; in exchange, every thread that stops being
 * active passes on what it will not take ({@link WaitQueue}).
 */
final class WaitPolicy {

    /** The phases {@link #tryStartActive} starts: busy-spin, yield, or neither (park at once). */
    static final int NONE = 0;
    static final int SPIN = 1;
    static final int YIELD = 2;

    /** The default spin budget, in onSpinWait rounds: a few microseconds. */
    static final int DEFAULT_SPINS = 1 << 7;

    /** The least an adaptive spin budget falls to (unless the configured budget is smaller): about a microsecond. */
    static final int MIN_SPINS = 32;

    /** The default yield budget, in nanoseconds: several times the cost of a park/unpark round trip. */
    static final long DEFAULT_YIELD_NANOS = 50_000;

    /**
     * The shortest yield phase, in nanoseconds (about two yields): an adaptive yield budget that falls below it
     * becomes 0, and the waiter parks right after its spin until a short park shows that yielding would pay again
     * ({@link #parkEnded}).
     */
    static final long MIN_YIELD_NANOS = 2_000;

    /**
     * Longest pause between two looks at the supply while spinning, in onSpinWait rounds (about a microsecond): long enough that a waiting reaper leaves the tail's line with the producer for
     * many events, short against the cost of a park/unpark round trip.
     */
    static final int MAX_PAUSE = 32;

    /** The activity word holds the active count in bits 16 and up and the spinner count in bits 0 to 15. */
    private static final long ACTIVE = 1 << 16;
    private static final long SPINNERS = ACTIVE - 1;
    private static final VarHandle SPIN_BUDGET;
    private static final VarHandle YIELD_BUDGET;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SPIN_BUDGET = l.findVarHandle(WaitPolicy.class, "spinBudget", int.class);
            YIELD_BUDGET = l.findVarHandle(WaitPolicy.class, "yieldBudget", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The configured budgets: the most a spin or a yield phase may last. */
    private final int spins;
    private final long yieldNanos;
    private final int spinFloor;
    private final long yieldFloor;
    private final int maxSpinners;
    private final int maxActive;
    /**
     * The adaptive budgets, between their floors and the configured budgets: cut by a quarter after a phase that
     * ended empty-handed, doubled after one that saw its need met. Opaque accesses: they are hints, and a lost update
     * between two waiters costs nothing.
     */
    private int spinBudget;
    private long yieldBudget;
    /**
     * The activity word: threads active now (high bits) and spinning now (low bits). Written by every waiter as it
     * starts and stops, read by the signalling side when there are parked waiters; on cache lines of its own.
     */
    private final long[] activity = PaddedLongs.newArray(1);

    /**
     * @param spins      the spin budget in onSpinWait rounds; 0 turns both spinning and yielding off (park at once)
     * @param yieldNanos the yield budget; 0 turns yielding off
     * @param processors the number of cores
     */
    WaitPolicy(int spins, long yieldNanos, int processors) {
        this.spins = spins;
        this.yieldNanos = spins == 0 ? 0 : yieldNanos;
        this.spinFloor = Math.min(spins, MIN_SPINS);
        this.yieldFloor = Math.min(this.yieldNanos, MIN_YIELD_NANOS);
        this.maxSpinners = spins == 0 ? 0 : Math.max(0, processors - 1);
        this.maxActive = spins == 0 ? 0 : this.yieldNanos == 0 ? maxSpinners : Math.max(1, processors);
        this.spinBudget = spins;
        this.yieldBudget = this.yieldNanos;
    }

    /** The spin budget now: onSpinWait rounds before yielding. */
    int spins() {
        return (int) SPIN_BUDGET.getOpaque(this);
    }

    /** The yield budget now: nanoseconds of yielding before parking; 0 if yielding is off. */
    long yieldNanos() {
        return (long) YIELD_BUDGET.getOpaque(this);
    }

    /**
     * Claims an active place: {@link #SPIN} if a spinner place is free too, else {@link #YIELD} if yielding is on,
     * else {@link #NONE} (park at once). A CAS on the activity word; it publishes nothing else.
     */
    int tryStartActive() {
        final long[] activity = this.activity;
        for (;;) {
            final long a = PaddedLongs.getVolatile(activity, PaddedLongs.PAD);
            if ((a >>> 16) >= maxActive) {
                return NONE;
            }
            final boolean spin = (a & SPINNERS) < maxSpinners;
            if (!spin && yieldNanos() == 0) {
                return NONE;
            }
            if (PaddedLongs.compareAndSet(activity, PaddedLongs.PAD, a, a + ACTIVE + (spin ? 1 : 0))) {
                return spin ? SPIN : YIELD;
            }
        }
    }

    /** A spinner that goes on to yield gives its spinner place back and stays active. */
    void spinToYield() {
        PaddedLongs.getAndAdd(activity, PaddedLongs.PAD, -1);
    }

    /**
     * Gives back the place claimed by {@link #tryStartActive()}; {@code phase} is the phase the thread is in now. A
     * volatile read-modify-write: the caller's later reads of the supply cannot move above it, so a signaller that
     * saw this thread still active (and left the wake-up to it) published before those reads.
     */
    void stopActive(int phase) {
        PaddedLongs.getAndAdd(activity, PaddedLongs.PAD, phase == SPIN ? -ACTIVE - 1 : -ACTIVE);
    }

    /** The number of threads active now (spinning or yielding); a volatile read. */
    int active() {
        return (int) (PaddedLongs.getVolatile(activity, PaddedLongs.PAD) >>> 16);
    }

    /**
     * Adapts the spin budget to how the last spin ended. A spin that ends empty-handed was pure cost, and worse than
     * that when its thread had just been woken onto the producer's core (a woken thread usually runs where its waker
     * ran, and preempts it): the producer then waits for the whole spin before it can publish again. So the budget
     * shrinks by a quarter after every failed spin, down to {@link #MIN_SPINS}, and doubles after every spin that saw
     * its need met, up to the configured budget.
     */
    void spinEnded(boolean met) {
        final int b = (int) SPIN_BUDGET.getOpaque(this);
        final int next = met ? Math.min(spins, Math.max(b << 1, spinFloor)) : Math.max(spinFloor, b - (b >> 2));
        if (next != b) {                                    // at either bound, leave the line shared by all waiters
            SPIN_BUDGET.setOpaque(this, next);
        }
    }

    /**
     * Adapts the yield budget to how the last yield phase ended: cut by a quarter after one that ended empty-handed,
     * to 0 below {@link #MIN_YIELD_NANOS}, and doubled after one that saw its need met.
     *
     * <p>Where events are sparse, yielding must stop altogether, not only shrink: a thread that has just yielded, even
     * for two microseconds, and then parked is woken later than one that parked at once (the scheduler's credit for
     * the yield delays its next run on a busy core; docs/design.md, "Waiting").
     */
    void yieldEnded(boolean met) {
        final long b = (long) YIELD_BUDGET.getOpaque(this);
        long next;
        if (met) {
            next = Math.min(yieldNanos, Math.max(b << 1, yieldFloor));
        } else {
            next = b - (b >> 2);
            if (next < yieldFloor) {
                next = 0;
            }
        }
        if (next != b) {
            YIELD_BUDGET.setOpaque(this, next);
        }
    }

    /**
     * Learns from a park that ended with the need met after {@code nanos}: if a yield phase that long fits in the
     * configured budget, yielding would have saved the park and its unpark, so the yield budget rises to twice it
     * (within the floor and the configured budget). This is how a budget that fell to 0 comes back.
     */
    void parkEnded(long nanos) {
        if (nanos >= yieldNanos) {                          // also when yielding is off (yieldNanos 0)
            return;
        }
        final long b = (long) YIELD_BUDGET.getOpaque(this);
        final long next = Math.max(b, Math.min(yieldNanos, Math.max(yieldFloor, nanos << 1)));
        if (next != b) {
            YIELD_BUDGET.setOpaque(this, next);
        }
    }

    /** Whether {@link #parkEnded} has anything to learn: yielding is configured. */
    boolean learnsFromParks() {
        return yieldNanos != 0;
    }

    /**
     * Spins for {@code rounds} onSpinWait rounds. A spinner that reads the tail's line on every round takes it away
     * from the producer as often, and the producer's full fence then waits for the line to come back; looking less
     * often as the wait grows keeps the line with the producer.
     */
    static void pause(int rounds) {
        for (int k = 0; k < rounds; k++) {
            Thread.onSpinWait();
        }
    }

    /** The pause after {@code pause}: doubled, up to MAX_PAUSE. */
    static int nextPause(int pause) {
        return Math.min(pause << 1, MAX_PAUSE);
    }
}
