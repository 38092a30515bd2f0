package io.completionring;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The batching pause of a ring's reapers: how long a reaper that may take many events at once waits before it looks at
 * the ring, so that events accumulate and it takes them in one run.
 *
 * <p>Why: every look at the ring reads the tail's line and the newest slots' lines, and the producer's fence after its
 * next publication then waits for those lines to come back. A reaper on another core that looks after every event or
 * two makes the producer pay that cache miss per event; one that takes dozens per look does not (docs/design.md,
 * "Batching pause", has the measurements).
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

    /** The probe's pause, in onSpinWait rounds: about half a microsecond. */
    static final int ROUNDS = 32;

    /**
     * The longest pause, in onSpinWait rounds: about two microseconds. Each paused call that pays doubles the pause up
     * to this: where producers complete concurrently, events arrive in bursts that the probe's pause splits.
     */
    static final int MAX_ROUNDS = 128;

    /** After this many failed probes in a row, one call in 2^MAX_MISSES probes. */
    static final int MAX_MISSES = 10;

    private static final int PAUSE = PaddedLongs.PAD;
    private static final int MISSES = PaddedLongs.PAD + 1;

    /** At PAUSE, the rounds the next call pauses (0, or ROUNDS to MAX_ROUNDS); at MISSES, the failed probes in a row. */
    private final long[] words = PaddedLongs.newArray(2);

    /** The rounds to pause before the next look at the ring. */
    int rounds() {
        return (int) PaddedLongs.getOpaque(words, PAUSE);
    }

    /** Learns from a call that paused {@code paused} rounds and then took {@code n} events at its first look. */
    void taken(int paused, int n) {
        final long[] words = this.words;
        if (paused > 0) {
            final int misses = (int) PaddedLongs.getOpaque(words, MISSES);
            if (n < FEW) {                                  // nothing accumulated: the pause costs, and pays nothing
                PaddedLongs.setOpaque(words, PAUSE, 0);
                if (misses < MAX_MISSES) {
                    PaddedLongs.setOpaque(words, MISSES, misses + 1);
                }
            } else {                                        // it paid: forget the misses, and pause longer
                if (misses != 0) {
                    PaddedLongs.setOpaque(words, MISSES, 0);
                }
                if (paused < MAX_ROUNDS) {
                    PaddedLongs.setOpaque(words, PAUSE, Math.min(paused << 1, MAX_ROUNDS));
                }
            }
        } else if (n < FEW) {
            final int misses = (int) PaddedLongs.getOpaque(words, MISSES);
            if (ThreadLocalRandom.current().nextInt(1 << misses) == 0) {
                PaddedLongs.setOpaque(words, PAUSE, ROUNDS);             // probe: the next call pauses
            }
        }
    }
}
