package io.completionring;

import static io.completionring.TestSupport.resultFor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One producer moving {@code events} completions through a ring to {@code reapers} reapers, checking exactly-once
 * delivery, completion order and untorn pairs. Shared by the unit concurrency tests and the long-haul stress.
 *
 * <p>The producer completes userData 0, 1, 2, ... with {@link TestSupport#resultFor} as the result, in batches of
 * random size through {@code trySubmit(n)}/{@code completeAll}, or one at a time through {@code submit()} (which parks
 * when the ring is full), then closes the ring. Each reaper loops on {@code getEvents} with a random minNr and nr until
 * it returns -1, recording what it took in its own bit set. Per call it checks that userData strictly increases (a FIFO
 * reaper never sees an older event after a newer one, so a stale slot read shows up here or as a duplicate), and that
 * the result belongs to the userData (a torn pair does not). Afterwards the bit sets give the lost and duplicated
 * counts.
 *
 * <p>A watchdog (the calling thread) fails the run as a hang when nothing moves for {@code stall}.
 */
final class DeliveryRun {

    /**
     * What a run saw: events reaped, and the failures, which must all be zero. {@code shortReturns} counts calls that
     * returned fewer than minNr events while the ring was open. {@code hang} describes the hang when {@code hangs} is 1
     * (lost is not counted then).
     */
    record Counts(long calls, long events, long lost, long duplicated, long torn, long outOfOrder, long shortReturns,
                  long hangs, String hang) {
        boolean clean() {
            return lost == 0 && duplicated == 0 && torn == 0 && outOfOrder == 0 && shortReturns == 0 && hangs == 0;
        }

        @Override
        public String toString() {
            return "calls=" + calls + " events=" + events + " lost=" + lost + " duplicated=" + duplicated
                    + " torn=" + torn
                    + " outOfOrder=" + outOfOrder + " shortReturns=" + shortReturns + " hangs=" + hangs
                    + (hang == null ? "" : "\n" + hang);
        }
    }

    private final long events;
    private final int reapers;
    private final CompletionRing ring;
    private final long seed;
    private final int maxNr;
    private final AtomicLong progress = new AtomicLong();

    DeliveryRun(long events, int reapers, CompletionRing ring, long seed, int maxNr) {
        this.events = events;
        this.reapers = reapers;
        this.ring = ring;
        this.seed = seed;
        this.maxNr = maxNr;
    }

    private static final class Reaper {
        final BitSet seen = new BitSet();
        long calls;
        long taken;
        long torn;
        long outOfOrder;
        long shortReturns;
    }

    Counts run(Duration stall) throws InterruptedException {
        List<Reaper> results = new ArrayList<>();
        String hang = null;
        try (Workers workers = new Workers()) {
            for (int r = 0; r < reapers; r++) {
                Reaper reaper = new Reaper();
                results.add(reaper);
                SplittableRandom random = new SplittableRandom(seed * 31 + r);
                workers.start("reaper-" + r, () -> reap(reaper, random));
            }
            SplittableRandom random = new SplittableRandom(seed);
            workers.start("producer", () -> produce(random));
            hang = watch(workers, stall);
            workers.checkFailure();
        }
        BitSet union = new BitSet();
        long calls = 0;
        long taken = 0;
        long torn = 0;
        long outOfOrder = 0;
        long shortReturns = 0;
        for (Reaper r : results) {
            calls += r.calls;
            taken += r.taken;
            torn += r.torn;
            outOfOrder += r.outOfOrder;
            shortReturns += r.shortReturns;
            union.or(r.seen);
        }
        long distinct = union.cardinality();
        long duplicated = taken - torn - distinct; // taken twice by one reaper or by more than one
        long lost = hang == null ? events - distinct : 0;
        return new Counts(calls, taken, lost, duplicated, torn, outOfOrder, shortReturns, hang == null ? 0 : 1, hang);
    }

    private void produce(SplittableRandom random) throws InterruptedException {
        int capacity = ring.capacity();
        long[] userData = new long[Math.min(16, capacity)];
        long[] results = new long[userData.length];
        long next = 0;
        while (next < events) {
            int batch = (int) Math.min(1 + random.nextInt(userData.length), events - next);
            if (batch > 1 && ring.trySubmit(batch)) {
                for (int i = 0; i < batch; i++) {
                    userData[i] = next + i;
                    results[i] = resultFor(next + i);
                }
                ring.completeAll(userData, results, 0, batch);
                next += batch;
            } else {
                ring.submit();
                ring.complete(next, resultFor(next));
                next++;
            }
            progress.lazySet(next);
        }
        ring.close();
    }

    private void reap(Reaper me, SplittableRandom random) throws InterruptedException {
        CompletionEvent[] holders = CompletionEvent.newArray(maxNr);
        long last = -1;
        while (true) {
            int nr = 1 + random.nextInt(maxNr);
            int minNr = random.nextInt(4) == 0 ? 1 + random.nextInt(nr) : 1;
            int n = ring.getEvents(minNr, nr, holders);
            if (n == -1) {
                return;
            }
            me.calls++;
            if (n < minNr && !ring.isClosed()) {
                me.shortReturns++;
            }
            for (int i = 0; i < n; i++) {
                long userData = holders[i].userData();
                long result = holders[i].result();
                me.taken++;
                if (result != resultFor(userData) || userData < 0 || userData >= events) {
                    me.torn++;
                    continue;
                }
                if (userData <= last) {
                    me.outOfOrder++;
                }
                last = userData;
                me.seen.set((int) userData);
            }
        }
    }

    /** Waits for the workers; returns a hang description if nothing moved for {@code stall}, else null. */
    private String watch(Workers workers, Duration stall) throws InterruptedException {
        long lastProgress = -1;
        long lastReaped = -1;
        long lastChange = System.nanoTime();
        while (!workers.awaitDone(Duration.ofMillis(100))) {
            long p = progress.get();
            long reaped = ring.stats().reaped();
            if (p != lastProgress || reaped != lastReaped) {
                lastProgress = p;
                lastReaped = reaped;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > stall.toNanos()) {
                return "hang: no progress for " + stall.toMillis() + " ms with " + ring.ready() + " ready, "
                        + ring.inFlight() + " in flight, produced " + p + " of " + events + ", stats " + ring.stats()
                        + workers.stacks();
            }
        }
        return null;
    }
}
