package io.completionring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The batching pause of a ring's reapers: how long a reaper that may take many events at once waits before it looks at
 * the ring, so that events accumulate and it takes them in one run.
 *
 * <p>Why: every look at the ring reads the tail's line and the newest slots' lines, and the producer's fence after its
 * next publication then waits for those lines to come back. A reaper on another core that looks after every event or
 * two makes the producer pay that cache miss per event: measured on the machine in docs/benchmarks.md (one producer,
 * two reapers in {@code getEvents(1, 64)}), runs where the reapers took 2 to 4 events per call moved 7 to 20 million
 * events/s with the producer at 50 to 145 ns of CPU per event, and runs where they took 36 per call moved 22 to 33
 * million with the producer at 20 ns.
 *
 * <p>The pause must never cost where it does not pay: a reaper that pauses before taking an event that is already
 * there, in a loop where nothing else produces, or where events are sparse, only adds latency. So the pause is switched
 * on only by a probe that shows it pays: after a call that took fewer than {@link #FEW} events, the next call pauses
 * about half a microsecond ({@link #ROUNDS} onSpinWait rounds); if that call still takes fewer than {@link #FEW}, the
 * pause is switched off and the next probe is made half as likely (down to one call in 1,024), and if it takes more,
 * the pause stays on, doubling after each paused call that pays up to {@link #MAX_ROUNDS}, until a paused call takes
 * fewer. Probes stay short, so where the pause does not pay it costs little. The state is a hint shared by the ring's
 * reapers, read and written with opaque accesses, written only when it changes.
 */
final class BatchPause {

    /** Only calls that may take at least this many events pause: for fewer, a run saves too little. */
    static final int MIN_NR = 16;

    /** A call that takes fewer than this many events took too few: the pause is tried, or given up. */
    static final int FEW = 4;

    /** The probe's pause, in onSpinWait rounds: about half a microsecond on the machine in docs/benchmarks.md. */
    static final int ROUNDS = 32;

    /**
     * The longest pause, in onSpinWait rounds: about two microseconds there. Each paused call that pays doubles the
     * pause up to this; with two producers completing concurrently, the probe's pause left reapers taking 7 to 25
     * events per call, doubling up to this 34 to 43 (docs/benchmarks.md, "Third round").
     */
    static final int MAX_ROUNDS = 128;

    /** After this many failed probes in a row, one call in 2^MAX_MISSES probes. */
    static final int MAX_MISSES = 10;

    /** Ints of padding on either side of the two words: 128 bytes, off the lines of other objects. */
    private static final int PAD = 32;
    private static final int PAUSE = PAD;
    private static final int MISSES = PAD + 1;

    private static final VarHandle INT = MethodHandles.arrayElementVarHandle(int[].class);

    /** At PAUSE, the rounds the next call pauses (0 or ROUNDS); at MISSES, the failed probes in a row. */
    private final int[] words = new int[2 * PAD + 2];

    /** The rounds to pause before the next look at the ring. */
    int rounds() {
        return (int) INT.getOpaque(words, PAUSE);
    }

    /** The failed probes in a row (for tests). */
    int misses() {
        return (int) INT.getOpaque(words, MISSES);
    }

    /** Learns from a call that paused {@code paused} rounds and then took {@code n} events at its first look. */
    void taken(int paused, int n) {
        final int[] words = this.words;
        if (paused > 0) {
            final int misses = (int) INT.getOpaque(words, MISSES);
            if (n < FEW) {                                  // nothing accumulated: the pause costs, and pays nothing
                INT.setOpaque(words, PAUSE, 0);
                if (misses < MAX_MISSES) {
                    INT.setOpaque(words, MISSES, misses + 1);
                }
            } else {                                        // it paid: forget the misses, and pause longer
                if (misses != 0) {
                    INT.setOpaque(words, MISSES, 0);
                }
                if (paused < MAX_ROUNDS) {
                    INT.setOpaque(words, PAUSE, Math.min(paused << 1, MAX_ROUNDS));
                }
            }
        } else if (n < FEW) {
            final int misses = (int) INT.getOpaque(words, MISSES);
            if (ThreadLocalRandom.current().nextInt(1 << misses) == 0) {
                INT.setOpaque(words, PAUSE, ROUNDS);        // probe: the next call pauses
            }
        }
    }
}
