package io.completionring;

import static io.completionring.TestSupport.resultFor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code producers} threads completing concurrently into one multi-producer ring, {@code reapers} threads reaping it,
 * {@code events} completions in all; checks exactly-once delivery, untorn pairs, each producer's order, and that the
 * events of one {@code completeAll} call are consecutive and published together.
 *
 * <p>Producer p completes its events k = 0, 1, 2, ... in order, in batches of random size: {@code trySubmit(n)} and
 * {@code completeAll} of n events when n > 1 and n slots are free, else {@code submit()} and {@code complete} of one.
 * Each event's userData says who made it and where it stands ({@link #userData}: producer, batch size, index in the
 * batch, k), and its result is {@link TestSupport#resultFor} of the userData, so a torn pair shows. The last producer
 * to finish closes the ring. Each reaper loops on {@code getEvents} with a random minNr and nr until it returns -1:
 * untimed ({@link Style#WAIT}), with a timeout of 1 to 30 microseconds ({@link Style#TIMEOUTS}), or untimed while
 * another thread interrupts reapers at random ({@link Style#INTERRUPTS}).
 *
 * <p>What each reaper checks in the events of each call. A call returns events in completion order, but not always
 * contiguous ones: a call that waited took them in several runs, and other reapers may have taken events between
 * them. Each run is contiguous, and it ends either at the call's nr or at the tail it read (take() copies min(tail -
 * head, nr) events).
 * <ul>
 *   <li>torn: a result that is not resultFor(userData), or a userData that no producer made;</li>
 *   <li>out of order: an event of producer p not after the previous event of p that this reaper took;</li>
 *   <li>broken batch: an event of a batch, not its last, followed in the call by anything but the next event of the
 *       batch. A run ends inside a batch only at nr (and then the call returns) or at a tail inside the batch;</li>
 *   <li>split batch: a call that returned fewer than nr events and ends inside a batch. Its last run ended at the
 *       tail, so the tail stood inside the batch: reapers could see part of one {@code completeAll} without the rest,
 *       which its javadoc rules out ("reapers see all of them or none").</li>
 * </ul>
 * A tail inside a batch shows as a split batch or a broken one, depending on whether the call went on waiting.
 * Afterwards the reapers' bit sets give the lost and duplicated counts. A watchdog (the calling thread) fails the run
 * as a hang when neither production nor reaping moves for {@code stall}.
 */
final class MultiProducerRun {

    /** Bits of a userData: producer (8), batch size (8), index in the batch (8), k (40). */
    private static final int K_BITS = 40;
    private static final long K_MASK = (1L << K_BITS) - 1;

    /** The userData of event k of producer p, index {@code index} of a batch of {@code size}. */
    static long userData(int producer, int size, int index, long k) {
        return ((long) producer << 56) | ((long) size << 48) | ((long) index << 40) | k;
    }

    static int producer(long userData) {
        return (int) (userData >>> 56);
    }

    static int size(long userData) {
        return (int) (userData >>> 48) & 0xff;
    }

    static int index(long userData) {
        return (int) (userData >>> 40) & 0xff;
    }

    static long k(long userData) {
        return userData & K_MASK;
    }

    /** How the reapers call getEvents. */
    enum Style {
        WAIT, TIMEOUTS, INTERRUPTS
    }

    /**
     * What a run saw; every count but calls, events, timeouts and interrupts must be zero. {@code timeouts}: calls
     * that timed out (the ring's stats); {@code interrupts}: InterruptedExceptions, plus calls that returned with the
     * interrupt status set.
     */
    record Counts(long calls, long events, long lost, long duplicated, long torn, long outOfOrder, long brokenBatches,
                  long splitBatches, long timeouts, long interrupts, long hangs, String hang) {
        boolean clean() {
            return lost == 0 && duplicated == 0 && torn == 0 && outOfOrder == 0 && brokenBatches == 0
                    && splitBatches == 0 && hangs == 0;
        }

        @Override
        public String toString() {
            return "calls=" + calls + " events=" + events + " lost=" + lost + " duplicated=" + duplicated + " torn="
                    + torn + " outOfOrder=" + outOfOrder + " brokenBatches=" + brokenBatches + " splitBatches="
                    + splitBatches + " timeouts=" + timeouts + " interrupts=" + interrupts + " hangs=" + hangs
                    + (hang == null ? "" : "\n" + hang);
        }
    }

    private final int producers;
    private final int reapers;
    private final long perProducer;
    private final CompletionRing ring;
    private final long seed;
    private final int maxBatch;
    private final int maxNr;
    private final Style style;
    private final AtomicLongArray progress;
    private final AtomicInteger finished = new AtomicInteger();

    /**
     * @param events   the completions in all, split evenly between the producers
     * @param maxBatch the largest batch a producer completes at once
     * @param maxNr    the largest nr a reaper asks for
     */
    MultiProducerRun(int producers, int reapers, long events, CompletionRing ring, long seed, int maxBatch,
                     int maxNr, Style style) {
        if (!ring.isMultiProducer()) {
            throw new IllegalArgumentException("needs a multi-producer ring");
        }
        this.producers = producers;
        this.reapers = reapers;
        this.perProducer = events / producers;
        this.ring = ring;
        this.seed = seed;
        this.maxBatch = Math.min(maxBatch, ring.capacity());
        this.maxNr = maxNr;
        this.style = style;
        this.progress = new AtomicLongArray(producers);
    }

    /** The events the run completes: {@code events} rounded down to a multiple of the producers. */
    long events() {
        return perProducer * producers;
    }

    private final class Reaper {
        final BitSet[] seen = new BitSet[producers];
        final long[] last = new long[producers];
        long calls;
        long taken;
        long torn;
        long outOfOrder;
        long brokenBatches;
        long splitBatches;
        long interrupts;

        Reaper() {
            for (int p = 0; p < producers; p++) {
                seen[p] = new BitSet();
                last[p] = -1;
            }
        }

        /** Checks and records events[0..n) of one call that asked for nr. */
        void record(CompletionEvent[] events, int n, int nr) {
            calls++;
            taken += n;
            for (int i = 0; i < n; i++) {
                final long u = events[i].userData();
                final int p = producer(u);
                final long k = k(u);
                if (events[i].result() != resultFor(u) || p >= producers || k >= perProducer || size(u) == 0
                        || index(u) >= size(u)) {
                    torn++;
                    continue;
                }
                if (k <= last[p]) {
                    outOfOrder++;
                }
                last[p] = k;
                seen[p].set((int) k);
                if (index(u) < size(u) - 1) {
                    if (i < n - 1 && events[i + 1].userData() != u + 1 + (1L << 40)) {
                        brokenBatches++;                    // not followed by the next event of its batch
                    } else if (i == n - 1 && n < nr) {
                        splitBatches++;                     // the call ended at a tail inside the batch
                    }
                }
            }
        }
    }

    Counts run(Duration stall) throws InterruptedException {
        final List<Reaper> results = new ArrayList<>();
        String hang;
        try (Workers workers = new Workers()) {
            final Thread[] reaperThreads = new Thread[reapers];
            for (int r = 0; r < reapers; r++) {
                final Reaper reaper = new Reaper();
                results.add(reaper);
                final SplittableRandom random = new SplittableRandom(seed * 31 + r);
                reaperThreads[r] = workers.start("reaper-" + r, () -> reap(reaper, random));
            }
            if (style == Style.INTERRUPTS) {
                workers.start("interrupter", () -> {
                    final SplittableRandom random = new SplittableRandom(seed * 7);
                    while (finished.get() < producers) {
                        TestSupport.spin(random.nextInt(2000));
                        reaperThreads[random.nextInt(reapers)].interrupt();
                    }
                });
            }
            for (int p = 0; p < producers; p++) {
                final int producer = p;
                final SplittableRandom random = new SplittableRandom(seed * 131 + p);
                workers.start("producer-" + p, () -> produce(producer, random));
            }
            hang = watch(workers, stall);
            workers.checkFailure();
        }
        long calls = 0;
        long taken = 0;
        long torn = 0;
        long outOfOrder = 0;
        long brokenBatches = 0;
        long splitBatches = 0;
        long interrupts = 0;
        long distinct = 0;
        for (int p = 0; p < producers; p++) {
            final BitSet union = new BitSet();
            for (Reaper r : results) {
                union.or(r.seen[p]);
            }
            distinct += union.cardinality();
        }
        for (Reaper r : results) {
            calls += r.calls;
            taken += r.taken;
            torn += r.torn;
            outOfOrder += r.outOfOrder;
            brokenBatches += r.brokenBatches;
            splitBatches += r.splitBatches;
            interrupts += r.interrupts;
        }
        final long duplicated = taken - torn - distinct;
        final long lost = hang == null ? events() - distinct : 0;
        return new Counts(calls, taken, lost, duplicated, torn, outOfOrder, brokenBatches, splitBatches,
                ring.stats().timeouts(), interrupts, hang == null ? 0 : 1, hang);
    }

    private void produce(int p, SplittableRandom random) throws InterruptedException {
        final long[] userData = new long[maxBatch];
        final long[] results = new long[maxBatch];
        long next = 0;
        while (next < perProducer) {
            final int batch = (int) Math.min(1 + random.nextInt(maxBatch), perProducer - next);
            if (batch > 1 && ring.trySubmit(batch)) {
                for (int i = 0; i < batch; i++) {
                    userData[i] = userData(p, batch, i, next + i);
                    results[i] = resultFor(userData[i]);
                }
                ring.completeAll(userData, results, 0, batch);
                next += batch;
            } else {
                ring.submit();
                final long u = userData(p, 1, 0, next);
                ring.complete(u, resultFor(u));
                next++;
            }
            progress.lazySet(p, next);
        }
        if (finished.incrementAndGet() == producers) {
            ring.close();                                   // every producer is done: reapers drain, then get -1
        }
    }

    private void reap(Reaper me, SplittableRandom random) throws InterruptedException {
        final CompletionEvent[] holders = CompletionEvent.newArray(maxNr);
        for (;;) {
            final int nr = 1 + random.nextInt(maxNr);
            final int minNr = random.nextInt(4) == 0 ? 1 + random.nextInt(nr) : 1;
            final int n;
            try {
                n = style == Style.TIMEOUTS
                        ? ring.getEvents(minNr, nr, holders, 1 + random.nextInt(30), TimeUnit.MICROSECONDS)
                        : ring.getEvents(minNr, nr, holders);
            } catch (InterruptedException e) {
                me.interrupts++;
                continue;
            }
            if (n == -1) {
                return;
            }
            if (Thread.interrupted()) {
                me.interrupts++;                            // it may have returned early, with what it had taken
            } else if (n < minNr && style == Style.WAIT && !ring.isClosed()) {
                throw new AssertionError("returned " + n + " < minNr " + minNr + " without a timeout, an interrupt"
                        + " or a close");
            }
            me.record(holders, n, nr);
        }
    }

    /** Waits for the workers; returns a hang description if nothing moved for {@code stall}, else null. */
    private String watch(Workers workers, Duration stall) throws InterruptedException {
        long lastProgress = -1;
        long lastReaped = -1;
        long lastChange = System.nanoTime();
        while (!workers.awaitDone(Duration.ofMillis(100))) {
            long produced = 0;
            for (int p = 0; p < producers; p++) {
                produced += progress.get(p);
            }
            final long reaped = ring.stats().reaped();
            if (produced != lastProgress || reaped != lastReaped) {
                lastProgress = produced;
                lastReaped = reaped;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > stall.toNanos()) {
                return "hang: no progress for " + stall.toMillis() + " ms with " + ring.ready() + " ready, "
                        + ring.inFlight() + " in flight, produced " + produced + " of " + events() + ", stats "
                        + ring.stats() + workers.stacks();
            }
        }
        return null;
    }
}
