package io.completionring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * How the waiting threads of one {@link WaitQueue} spend the time before they park: spin, then park. A visible
 * two-state machine, used by {@link WaitQueue#await}:
 *
 * <pre>{@code
 * if (policy.tryStartSpinning()) {          // SPIN: only while a core is free for it
 *     try {
 *         for (int spun = 0, pause = 1; spun < policy.spins(); spun += pause, pause = nextPause(pause)) {
 *             if (satisfied()) return;
 *             pause(pause);                  // 1, 2, 4, ... MAX_PAUSE onSpinWait rounds between looks
 *         }
 *     } finally {
 *         policy.stopSpinning();
 *     }
 * }
 * park();                                   // PARK: publish, fence, re-check, park (see WaitQueue)
 * }</pre>
 *
 * <p>Spinning makes wake-ups fast (no unpark, no scheduler round trip) but only when the spinner has a core of its
 * own: a spinner that shares a core with the producer delays the very events it waits for. So the number of threads
 * of a queue spinning at once is capped at {@code availableProcessors - 1}, leaving a core for the producer; the
 * others park at once. On a single core nobody spins. And the budget adapts ({@link #spinEnded}): it shrinks while
 * spins end empty-handed and grows back while they succeed.
 *
 * <p>The count of spinners also saves wake-ups: while a thread spins, the signalling side leaves parked threads
 * alone, because the spinner will see the new supply first; in exchange, every thread that stops spinning passes the
 * wake-up on ({@link WaitQueue#signalWaiters()}) once it has taken what it needed, or before it parks.
 */
final class SpinPolicy {

    /** The default spin budget: about as long as a park/unpark round trip costs on a typical Linux x86 machine. */
    static final int DEFAULT_SPINS = 1 << 10;

    /** Ints of padding on either side of the spinner count: 128 bytes, two cache lines (adjacent-line prefetch). */
    private static final int PAD = 32;

    /** The least an adaptive budget falls to (unless the configured budget is smaller): about a microsecond here. */
    static final int MIN_SPINS = 32;

    private static final VarHandle INT = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle BUDGET;

    static {
        try {
            BUDGET = MethodHandles.lookup().findVarHandle(SpinPolicy.class, "budget", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The configured budget: the most a spin may last. */
    private final int spins;
    private final int floor;
    private final int maxSpinners;
    /**
     * The adaptive budget, between floor and spins: cut by a quarter after a spin that ended empty-handed, doubled
     * after one that saw its need met. Opaque accesses: it is a hint, and a lost update between two spinners costs
     * nothing.
     */
    private int budget;
    /**
     * The number of threads spinning now, at index PAD; written by every waiter as it starts and stops spinning,
     * read by the signalling side when there are parked waiters.
     */
    private final int[] spinners = new int[2 * PAD + 1];

    SpinPolicy(int spins, int processors) {
        this.spins = spins;
        this.floor = Math.min(spins, MIN_SPINS);
        this.maxSpinners = spins == 0 ? 0 : Math.max(0, processors - 1);
        this.budget = spins;
    }

    /** The spin budget now: {@link Thread#onSpinWait()} calls before parking. */
    int spins() {
        return (int) BUDGET.getOpaque(this);
    }

    /**
     * Adapts the budget to how the last spin ended. A spin that ends empty-handed was pure cost, and worse than that
     * when its thread had just been woken onto the producer's core (a woken thread usually runs where its waker ran,
     * and preempts it): the producer then waits for the whole spin before it can publish again. Measured with
     * WakeProbe (docs/benchmarks.md): a fixed 1024-round spin between completions 100 µs apart held the completing
     * thread in {@code complete} for 35-58 µs (p50) instead of about 10, and the woken reaper's p99 was 2-3 ms. So
     * the budget shrinks by a quarter after every failed spin, down to {@link #MIN_SPINS}, and doubles after every
     * spin that saw its need met, up to the configured budget: spinning pays where events follow each other closely
     * and fades where they do not. (Halving instead cost more blocking throughput for the same latency.)
     */
    void spinEnded(boolean met) {
        final int b = (int) BUDGET.getOpaque(this);
        final int next = met ? Math.min(spins, Math.max(b << 1, floor)) : Math.max(floor, b - (b >> 2));
        if (next != b) {                                    // at either bound, leave the line shared by all waiters
            BUDGET.setOpaque(this, next);
        }
    }

    /** Claims one of the spinner places; returns false (park at once) if spinning is off or every place is taken. */
    boolean tryStartSpinning() {
        final int[] spinners = this.spinners;
        for (;;) {
            final int n = (int) INT.getVolatile(spinners, PAD);
            if (n >= maxSpinners) {
                return false;
            }
            if (INT.compareAndSet(spinners, PAD, n, n + 1)) { // a count only; it publishes nothing else
                return true;
            }
        }
    }

    /**
     * Gives back the place claimed by a successful {@link #tryStartSpinning()}. A volatile read-modify-write: the
     * caller's later reads of the supply cannot move above it, so a signaller that saw this thread still spinning
     * (and left the wake-up to it) published before those reads.
     */
    void stopSpinning() {
        INT.getAndAdd(spinners, PAD, -1);
    }

    /**
     * Longest pause between two looks at the supply, in onSpinWait rounds (about a microsecond on the machine in
     * docs/benchmarks.md): long enough that a waiting reaper leaves the tail's line with the producer for many
     * events, short against the tens of microseconds a park/unpark round trip costs there.
     */
    static final int MAX_PAUSE = 32;

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

    /** The number of threads spinning now; a volatile read. */
    int spinning() {
        return (int) INT.getVolatile(spinners, PAD);
    }
}
