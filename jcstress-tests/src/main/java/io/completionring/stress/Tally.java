package io.completionring.stress;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

/**
 * What one reaper took, for the exactly-once scenarios: events are (i, 11 * i) for i = 1, 2, ...; a tally counts the
 * events returned, sets bit i - 1 for each, and notes whether every event was intact and came after the previous
 * one. Written only by its reaper; the arbiter reads it afterwards.
 */
final class Tally {
    private final CompletionEvent[] events;
    private int count;
    private int mask;
    private boolean ordered = true;
    private long last;

    Tally(int batch) {
        this.events = CompletionEvent.newArray(batch);
    }

    /** Polls batches of up to the tally's size until the ring has nothing ready. */
    void drain(CompletionRing ring) {
        for (int n; (n = ring.pollEvents(events.length, events)) > 0; ) {
            record(n);
        }
    }

    /** Records events[0..n) of the last call. */
    void record(int n) {
        for (int i = 0; i < n; i++) {
            final long u = events[i].userData();
            ordered &= u > last && events[i].result() == 11 * u;
            last = u;
            mask |= 1 << (u - 1);
        }
        count += n;
    }

    /** Events returned by both tallies together. */
    static int count(Tally a, Tally b) {
        return a.count + b.count;
    }

    /** Bit set of the distinct events returned by both. */
    static int mask(Tally a, Tally b) {
        return a.mask | b.mask;
    }

    /** 1 if every event was intact, each tally saw its events in completion order, and no event was in both. */
    static int exactlyOnceInOrder(Tally a, Tally b) {
        return a.ordered && b.ordered && (a.mask & b.mask) == 0 ? 1 : 0;
    }
}
