package io.completionring;

/**
 * Consistent readings of the ring's counters for its snapshot methods ({@code ready}, {@code inFlight}, {@code
 * remainingCapacity}, {@code stats}).
 *
 * <p>The counters only grow, and at every instant {@code head <= tail <= submitted <= head + capacity}. A thread that
 * reads two of them one after the other may be descheduled between the two reads, and the difference of two
 * unrelated instants can lie far outside {@code [0, capacity]}. So each reading reads one counter, then the others,
 * then the first again (as JCTools' {@code size()} does): if the first has not moved, it held that value throughout,
 * and the values read are ones the ring held at one instant (the instant of the read in the middle), so the
 * invariant holds for them. If the first counter keeps moving for {@link #ATTEMPTS} rounds, the last reading is
 * clamped into the invariant: still in range, though not a value the ring had.
 */
final class Snapshot {

    /**
     * Reads one counter, submitted with its closed bit ({@link CompletionRing#CLOSED_BIT}). The ring reads its own; a
     * test can move counters between reads.
     */
    @FunctionalInterface
    interface Counters {
        long read(int index);
    }

    private static final long COUNT = ~CompletionRing.CLOSED_BIT;

    /** Readings before the last resort of clamping; each fails only if a counter moved during a few loads. */
    static final int ATTEMPTS = 64;

    private Snapshot() {
    }

    /**
     * Returns {@code offset + read(plus) - read(minus)} as the counters held it at one instant, where {@code minus} is
     * the counter that is read twice; clamped into {@code [0, capacity]} if no reading succeeds.
     */
    static long difference(Counters c, int plus, int minus, long offset, long capacity) {
        long value = 0;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            final long before = c.read(minus) & COUNT;
            final long p = c.read(plus) & COUNT;
            if ((c.read(minus) & COUNT) == before) {
                return offset + p - before;
            }
            value = offset + p - before;
        }
        return clamp(value, capacity);
    }

    /**
     * Returns {@code capacity + read(head) - read(submitted)}, the slots free, as the counters held them at one
     * instant; 0 if the ring was closed at that instant. Submitted is read twice, with its closed bit: the closed bit
     * and the count come from the same read, so a close between two reads cannot go unseen.
     */
    static long free(Counters c, int head, int submitted, long capacity) {
        long value = 0;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            final long before = c.read(submitted);
            if (before < 0) {
                return 0;                                   // closed at this read
            }
            final long h = c.read(head);
            final long after = c.read(submitted);
            if (after == before) {
                return capacity + h - before;               // open, and these values, at the instant of the head read
            }
            if (after < 0) {
                return 0;                                   // closed at this read
            }
            value = capacity + h - before;
        }
        return clamp(value, capacity);
    }

    private static long clamp(long value, long capacity) {
        return Math.max(0, Math.min(capacity, value));
    }

    /**
     * Returns submitted, completed and reaped as the counters held them at one instant (read in the order head,
     * tail, submitted, tail, head); clamped into {@code reaped <= completed <= submitted <= reaped + capacity} if no
     * reading succeeds. The slow-path counts are passed through.
     */
    static RingStats stats(Counters c, int head, int tail, int submitted, long capacity,
                           long parks, long unparks, long timeouts, int waiters) {
        long h = 0;
        long t = 0;
        long s = 0;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            h = c.read(head);
            t = c.read(tail);
            s = c.read(submitted) & COUNT;
            if (c.read(tail) == t && c.read(head) == h) {
                return new RingStats(s, t, h, parks, unparks, timeouts, waiters);
            }
        }
        t = Math.max(h, Math.min(h + capacity, t));
        s = Math.max(t, Math.min(h + capacity, s));
        return new RingStats(s, t, h, parks, unparks, timeouts, waiters);
    }
}
