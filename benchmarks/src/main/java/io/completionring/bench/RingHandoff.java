package io.completionring.bench;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import io.completionring.RingStats;
import org.openjdk.jmh.infra.Blackhole;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The ring's side of the blocking benchmarks, as a program would use it: the producer reserves the slot
 * ({@code trySubmit}, or {@code submit} waiting for space when the ring is full) and completes, per event or a
 * batch at a time; reapers wait in {@code getEvents(1, nr, ...)}, spinning and then parking as the ring decides.
 *
 * <p>Every wait is timed ({@link #WAIT_MS}): JMH stops the threads of a group one at a time, so a reaper waiting for
 * a producer that has stopped, or a producer waiting for space from reapers that have stopped, must give up and
 * return. While the benchmark runs the waits are far shorter than that, so the timeout changes nothing measured.
 */
final class RingHandoff {

    /** How long any wait of a throughput benchmark lasts at most; only reached when the other side has stopped. */
    static final long WAIT_MS = 10;

    final CompletionRing ring;
    private final int batch;
    private final int nr;
    private final long[] userData;
    private final long[] results;
    private long sequence;                                  // written only by the producer thread of produce(c)

    RingHandoff(int capacity, int batch, int nr) {
        this(CompletionRing.builder().capacity(capacity).build(), batch, nr);
    }

    /** A hand-off through the given ring (a multi-producer one, for {@link #produce(long, OfferCounters)}). */
    RingHandoff(CompletionRing ring, int batch, int nr) {
        this.ring = ring;
        this.batch = batch;
        this.nr = nr;
        this.userData = new long[batch];
        this.results = new long[batch];
    }

    /** Reserves and completes one event (batch 1: the per-event API) or one batch (completeAll). */
    void produce(OfferCounters c) throws InterruptedException {
        final CompletionRing ring = this.ring;
        if (batch == 1) {
            if (ring.trySubmit() || ring.submit(WAIT_MS, TimeUnit.MILLISECONDS)) {
                final long seq = sequence++;
                ring.complete(seq, ~seq);
            } else {
                c.fullOffers++;
            }
            return;
        }
        int reserved = 0;
        while (reserved < batch) {
            if (ring.trySubmit(batch - reserved)) {         // the whole (rest of the) batch in one CAS
                reserved = batch;
            } else if (ring.submit(WAIT_MS, TimeUnit.MILLISECONDS)) { // full: wait for a reaper to free a slot
                reserved++;
            } else {
                c.fullOffers++;
                break;
            }
        }
        if (reserved > 0) {
            final long[] userData = this.userData;
            final long[] results = this.results;
            long seq = sequence;
            for (int i = 0; i < reserved; i++, seq++) {
                userData[i] = seq;
                results[i] = ~seq;
            }
            sequence = seq;
            ring.completeAll(userData, results, 0, reserved);
        }
    }

    /**
     * Reserves and completes one event, {@code complete(seq, ~seq)}: one of several producers of a multi-producer
     * ring, each with its own sequence. Returns false (and counts a full offer) if the ring stayed full for
     * {@link #WAIT_MS}; the caller then retries the same seq.
     */
    boolean produce(long seq, OfferCounters c) throws InterruptedException {
        final CompletionRing ring = this.ring;
        if (ring.trySubmit() || ring.submit(WAIT_MS, TimeUnit.MILLISECONDS)) {
            ring.complete(seq, ~seq);
            return true;
        }
        c.fullOffers++;
        return false;
    }

    /** One {@code getEvents(1, nr, ...)} call. */
    void reap(CompletionEvent[] events, ReapCounters c, Blackhole bh) throws InterruptedException {
        c.took(events, ring.getEvents(1, nr, events, WAIT_MS, TimeUnit.MILLISECONDS), bh);
    }

    /** Closes the ring and prints its counters: how often reapers and the producer parked, per event. */
    void close(String what) {
        ring.close();
        final RingStats st = ring.stats();
        final double perEvent = st.reaped() == 0 ? 0 : (double) st.parks() / st.reaped();
        System.out.printf(Locale.ROOT, "%n[%s] ring stats: %s; parks/event %.4f%n", what, st, perEvent);
    }
}
