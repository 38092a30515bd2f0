package io.completionring.stress;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The hand-shake of the multi-round Termination scenarios. One jcstress Termination sample starts its actor, waits a
 * millisecond or more, and only then calls the {@code @Signal}: by then a single-round actor is long parked, so a
 * single-round sample only ever tests "wake a thread that is already asleep", never the race of seed 000, where the
 * completion lands between the waiter publishing itself and parking. The multi-round scenarios therefore run many
 * rounds per sample, each on its own ring (so that a wake-up lost in one round cannot be rescued by the next round's
 * completion): the actor {@linkplain #announce announces} round i just before it waits in ring i, and the signal
 * {@linkplain #awaitAnnounced waits for that} (bounded, so that the signal always returns) and then pauses for a
 * random handful of spins before it acts, which scatters its action over the waiter's publish / re-check / park steps.
 * Public so that the negative controls in {@code ...stress.controls} use the very same hand-shake.
 */
public final class Rounds {

    /** Rounds per sample. */
    public static final int ROUNDS = 256;

    /** The signal's random pause before it acts, in {@link Thread#onSpinWait()} calls: 0 to this bound - 1. */
    private static final int MAX_PAUSE_SPINS = 4;

    /** How long the signal waits for the actor to reach a round before it acts anyway (the actor is merely late). */
    private static final long ANNOUNCE_WAIT_NANOS = 1_000_000L;

    /** The round the actor has reached, plus one; written only by the actor. */
    private volatile int announced;

    /** Called by the actor just before it waits in round {@code round}. */
    public void announce(int round) {
        announced = round + 1;
    }

    /**
     * Called by the signal before it acts in round {@code round}: waits until the actor has announced the round or a
     * millisecond has passed, then pauses a random 0-3 spins.
     */
    public void awaitAnnounced(int round) {
        final long deadline = System.nanoTime() + ANNOUNCE_WAIT_NANOS;
        while (announced <= round && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        for (int spins = ThreadLocalRandom.current().nextInt(MAX_PAUSE_SPINS); spins > 0; spins--) {
            Thread.onSpinWait();
        }
    }

    /**
     * As {@link #awaitAnnounced}, but yielding the CPU while it waits: for samples with a third thread (a second
     * producer started by the actor). On two cores, two threads that spin keep the third off a CPU until a wait times
     * out, a millisecond per round.
     */
    public void awaitAnnouncedYielding(int round) {
        final long deadline = System.nanoTime() + ANNOUNCE_WAIT_NANOS;
        while (announced <= round && System.nanoTime() - deadline < 0) {
            Thread.yield();
        }
        for (int spins = ThreadLocalRandom.current().nextInt(MAX_PAUSE_SPINS); spins > 0; spins--) {
            Thread.onSpinWait();
        }
    }

    /** Spins a random 0 to {@code bound - 1} times: used by concurrent actors to scatter their start. */
    public static void randomPause(int bound) {
        for (int spins = ThreadLocalRandom.current().nextInt(bound); spins > 0; spins--) {
            Thread.onSpinWait();
        }
    }
}
