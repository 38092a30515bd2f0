package io.completionring;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deliberately wrong ring, for {@link LincheckControlTest}: the sequential behaviour of {@link CompletionRing}
 * (slot reservation against the head, completion in order, reaping up to nr events), with one concurrency bug. A
 * reaper reads the head and the tail, copies the events between them, and then stores the head it read plus what it
 * took: a volatile store where the ring has {@code compareAndSet(head, h, h + n)}. Two reapers that read the same
 * head both return the same events, and the head moves once: an event delivered twice, as by a reaper that never
 * checks whether another one got there first. Everything else is correct (reservations are a CAS, the producer's
 * tail store publishes the slots it wrote), so that the bug is the only one.
 */
final class RacyHeadRing {

    private final int capacity;
    private final long[] userData;
    private final long[] results;
    private final AtomicLong submitted = new AtomicLong();
    /** Written only by the producer; the volatile store publishes the slots written before it. */
    private volatile long tail;
    /** Written by reapers without a CAS: the bug. */
    private volatile long head;

    RacyHeadRing(int capacity) {
        this.capacity = capacity;
        this.userData = new long[capacity];
        this.results = new long[capacity];
    }

    /** Reserves n slots, all or none; false if fewer are free. */
    boolean trySubmit(int n) {
        for (;;) {
            final long s = submitted.get();
            if (s + n > head + capacity) {
                return false;
            }
            if (submitted.compareAndSet(s, s + n)) {
                return true;
            }
        }
    }

    /** Publishes one event; false (nothing changed) if no reservation is left to complete. Producer only. */
    boolean complete(long data, long result) {
        final long t = tail;
        if (t == submitted.get()) {
            return false;
        }
        final int i = (int) (t % capacity);
        userData[i] = data;
        results[i] = result;
        tail = t + 1;
        return true;
    }

    /** Takes up to nr ready events, returned as [userData, result, ...]. */
    List<Long> poll(int nr) {
        final List<Long> out = new ArrayList<>();
        final long h = head;
        final long n = Math.min(tail - h, nr);
        for (long k = 0; k < n; k++) {
            final int i = (int) ((h + k) % capacity);
            out.add(userData[i]);
            out.add(results[i]);
        }
        if (n > 0) {
            head = h + n;                                   // the bug: the ring's compareAndSet(head, h, h + n)
        }
        return out;
    }
}
