package io.completionring;

import static io.completionring.MultiProducerRun.userData;
import static io.completionring.TestSupport.PROMPTLY;
import static io.completionring.TestSupport.assertEvents;
import static io.completionring.TestSupport.assertNames;
import static io.completionring.TestSupport.assertNamesNull;
import static io.completionring.TestSupport.awaitParked;
import static io.completionring.TestSupport.resultFor;
import static io.completionring.TestSupport.spin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Multi-producer rings ({@code multiProducer(true)}): complete and completeAll called concurrently from many threads.
 * The events of one completeAll are consecutive and published together, one thread's calls appear in its call order;
 * a call without a reservation throws and publishes nothing, however many producers race for the last reservations; a
 * reaper never reads a slot before its producer wrote it, and no reaper sleeps while the ready events meet its need,
 * whichever producer published them; a producer that is slow between its claim and its publication holds back the
 * events behind its own and loses none; close, timeouts, interrupts and targeted wake-ups work as with one producer.
 * Allocation: {@link AllocationTest}; linearizability: {@link MultiProducerLincheckTest}.
 */
class MultiProducerTest {

    private static final Duration STALL = Duration.ofSeconds(10);

    private static CompletionRing multiProducerRing(int capacity, int spinBudget) {
        return CompletionRing.builder().capacity(capacity).spinBudget(spinBudget).multiProducer(true).build();
    }

    // ---- the builder

    @Test
    void ringsAreSingleProducerUnlessBuiltMultiProducer() {
        assertFalse(CompletionRing.create(8).isMultiProducer());
        assertFalse(CompletionRing.builder().build().isMultiProducer());
        assertFalse(CompletionRing.builder().multiProducer(false).build().isMultiProducer());
        assertTrue(CompletionRing.builder().multiProducer(true).build().isMultiProducer());
        assertFalse(CompletionRing.builder().multiProducer(true).multiProducer(false).build().isMultiProducer());
    }

    // ---- no completion without a reservation, on one thread

    @Test
    void completionBeyondTheReservationsThrowsAndChangesNothing() {
        CompletionRing ring = multiProducerRing(8, 0);
        assertTrue(ring.trySubmit(3));
        ring.completeAll(new long[] {0, 1}, new long[] {resultFor(0), resultFor(1)}, 0, 2);
        assertThrows(IllegalStateException.class,
                () -> ring.completeAll(new long[] {2, 3}, new long[] {resultFor(2), resultFor(3)}, 0, 2));
        RingStats stats = ring.stats();
        assertEquals(3, stats.submitted(), "submitted");
        assertEquals(2, stats.completed(), "completed");
        assertEquals(0, stats.reaped(), "reaped");
        assertEquals(2, ring.ready(), "ready");
        assertEquals(1, ring.inFlight(), "in flight");
        assertEquals(5, ring.remainingCapacity(), "remaining capacity");
        ring.complete(2, resultFor(2));                     // the failed call claimed nothing: the slot is still there
        assertThrows(IllegalStateException.class, () -> ring.complete(3, resultFor(3)));
        assertEquals(3, ring.ready());
        assertEquals(0, ring.inFlight());
        assertEquals(3, ring.stats().completed());
        CompletionEvent[] events = CompletionEvent.newArray(8);
        assertEquals(3, ring.pollEvents(8, events));
        assertEvents(events, 3, 0);
    }

    @Test
    void completeOnAFreshRingThrows() {
        CompletionRing ring = multiProducerRing(4, 0);
        assertThrows(IllegalStateException.class, () -> ring.complete(0, resultFor(0)));
        assertTrue(ring.trySubmit());
        ring.complete(0, resultFor(0));
        assertEquals(1, ring.ready());
    }

    // ---- bad input: completeAll's argument checks come first, as with one producer

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"null userData", "null results", "negative offset", "negative count",
            "count past the end of userData", "count past the end of results", "offset past the end",
            "offset + count overflows"})
    void completeAllRejectsBadArgumentsAndChangesNothing(String bad) {
        CompletionRing ring = multiProducerRing(8, 0);
        TestSupport.submitAndComplete(ring, 0, 2);
        assertTrue(ring.trySubmit());
        long[] two = {2, 3};
        long[] twoResults = {resultFor(2), resultFor(3)};
        Executable call;
        Class<? extends RuntimeException> type = IllegalArgumentException.class;
        String argument;
        Object value = null;
        switch (bad) {
            case "null userData" -> {
                call = () -> ring.completeAll(null, twoResults, 0, 1);
                type = NullPointerException.class;
                argument = "userData";
            }
            case "null results" -> {
                call = () -> ring.completeAll(two, null, 0, 1);
                type = NullPointerException.class;
                argument = "results";
            }
            case "negative offset" -> {
                call = () -> ring.completeAll(two, twoResults, -1, 1);
                argument = "offset";
                value = -1;
            }
            case "negative count" -> {
                call = () -> ring.completeAll(two, twoResults, 0, -1);
                argument = "count";
                value = -1;
            }
            case "count past the end of userData" -> {
                call = () -> ring.completeAll(new long[] {2}, twoResults, 0, 2);
                argument = "userData";
                value = 1;
            }
            case "count past the end of results" -> {
                call = () -> ring.completeAll(two, new long[] {resultFor(2)}, 0, 2);
                argument = "results";
                value = 1;
            }
            case "offset past the end" -> {
                call = () -> ring.completeAll(two, twoResults, 3, 0);
                argument = "offset";
                value = 3;
            }
            default -> {
                call = () -> ring.completeAll(two, twoResults, 1, Integer.MAX_VALUE);
                argument = "count";
                value = Integer.MAX_VALUE;
            }
        }
        RuntimeException e = assertThrows(type, call);
        if (value == null) {
            assertNamesNull(e, argument);
        } else {
            assertNames(e, argument, value);
        }
        RingStats stats = ring.stats();
        assertEquals(3, stats.submitted(), "submitted");
        assertEquals(2, stats.completed(), "completed");
        assertEquals(2, ring.ready(), "ready");
        assertEquals(1, ring.inFlight(), "in flight");
        ring.complete(2, resultFor(2));                     // nothing was claimed: the next completion lands next
        CompletionEvent[] events = CompletionEvent.newArray(8);
        assertEquals(3, ring.pollEvents(8, events), "the event completed after the bad call was published");
        assertEvents(events, 3, 0);
    }

    // ---- producers racing for the last reservations

    /**
     * Trial after trial, 2 to 4 producers start together on a ring with k reservations (1 to 8) and complete until a
     * completion of one event fails: each tries completeAll of 1 to 3 events (or complete), and after an
     * IllegalStateException the same with one event fewer. Exactly the k reserved events must be published (a call
     * that fails publishes nothing, and a call of one event fails only once all k are taken), each producer's events in
     * its order, its batches consecutive; the counters must agree.
     */
    @Test
    @Timeout(60)
    void producersRacingForTheLastReservationsPublishExactlyTheReservedEvents() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        CompletionEvent[] events = CompletionEvent.newArray(8);
        long failures = 0;
        long failedBatches = 0;
        for (int trial = 0; trial < 2000; trial++) {
            int producers = 2 + trial % 3;
            int reserved = 1 + random.nextInt(8);
            CompletionRing ring = multiProducerRing(8, 0);
            assertTrue(ring.trySubmit(reserved));
            CyclicBarrier start = new CyclicBarrier(producers);
            AtomicLongArray published = new AtomicLongArray(producers);
            AtomicLongArray failed = new AtomicLongArray(producers);
            AtomicLongArray failedBatch = new AtomicLongArray(producers);
            try (Workers workers = new Workers()) {
                for (int p = 0; p < producers; p++) {
                    int producer = p;
                    long seed = random.nextLong();
                    workers.start("producer-" + p, () -> {
                        SplittableRandom mine = new SplittableRandom(seed);
                        long[] userData = new long[3];
                        long[] results = new long[3];
                        long k = 0;
                        int size = 1 + mine.nextInt(3);
                        start.await();
                        for (;;) {
                            for (int i = 0; i < size; i++) {
                                userData[i] = userData(producer, size, i, k + i);
                                results[i] = resultFor(userData[i]);
                            }
                            try {
                                if (size == 1 && mine.nextBoolean()) {
                                    ring.complete(userData[0], results[0]);
                                } else {
                                    ring.completeAll(userData, results, 0, size);
                                }
                            } catch (IllegalStateException noReservation) {
                                failed.incrementAndGet(producer);
                                if (size == 1) {
                                    break;                  // every reservation is taken
                                }
                                failedBatch.incrementAndGet(producer);
                                size--;
                                continue;
                            }
                            k += size;
                            if (k > reserved) {
                                throw new AssertionError("producer " + producer + " completed " + k + " events on "
                                        + reserved + " reservations");
                            }
                            size = 1 + mine.nextInt(3);
                        }
                        published.set(producer, k);
                    });
                }
                workers.join(PROMPTLY, () -> "stats " + ring.stats());
            }
            long total = 0;
            for (int p = 0; p < producers; p++) {
                total += published.get(p);
                failures += failed.get(p);
                failedBatches += failedBatch.get(p);
            }
            String trialInfo = "trial " + trial + ": " + producers + " producers, " + reserved + " reserved, published "
                    + published + ", " + ring.stats();
            assertEquals(reserved, total, "events published by calls that returned: " + trialInfo);
            RingStats stats = ring.stats();
            assertEquals(reserved, stats.submitted(), trialInfo);
            assertEquals(reserved, stats.completed(), trialInfo);
            assertEquals(reserved, ring.ready(), trialInfo);
            assertEquals(0, ring.inFlight(), trialInfo);
            assertEquals(reserved, ring.pollEvents(8, events), trialInfo);
            assertEquals(0, ring.ready(), trialInfo);
            long[] next = new long[producers];
            for (int i = 0; i < reserved; i++) {
                long u = events[i].userData();
                int p = MultiProducerRun.producer(u);
                assertEquals(resultFor(u), events[i].result(), "torn event " + i + ": " + trialInfo);
                assertEquals(next[p]++, MultiProducerRun.k(u), "event " + i + " out of producer order: " + trialInfo);
                int index = MultiProducerRun.index(u);
                if (index > 0) {
                    assertEquals(u - 1 - (1L << 40), events[i - 1].userData(), "batch split: " + trialInfo);
                }
            }
            for (int p = 0; p < producers; p++) {
                assertEquals(published.get(p), next[p], "producer " + p + ": " + trialInfo);
            }
        }
        System.out.println("producersRacingForTheLastReservations: 2000 trials, " + failures
                + " IllegalStateExceptions, " + failedBatches + " of them for a batch");
        assertTrue(failedBatches > 0, "no batch ever failed for lack of reservations, so no batch raced");
    }

    // ---- close racing producers

    /**
     * Trial after trial: two producers submit and complete one request at a time (up to four each) while a third thread
     * closes the ring at a random moment and two reapers take events until getEvents returns -1. Every request whose
     * submit succeeded is completed, also after the close; each must be reaped exactly once, in its producer's order,
     * and both reapers must end with -1.
     */
    @Test
    @Timeout(60)
    void closeRacingProducersLosesNothingAndReapersEndWithMinusOne() throws Exception {
        SplittableRandom random = new SplittableRandom(12);
        int closedWhileProducing = 0;
        for (int trial = 0; trial < 1000; trial++) {
            CompletionRing ring = multiProducerRing(4, trial % 2 == 0 ? 0 : 100);
            AtomicLongArray completed = new AtomicLongArray(2);
            AtomicInteger refused = new AtomicInteger();
            List<long[]> reaped = List.of(new long[2], new long[2]);
            AtomicLongArray count = new AtomicLongArray(2);
            AtomicInteger minusOnes = new AtomicInteger();
            CyclicBarrier go = new CyclicBarrier(3);
            int closeSpins = random.nextInt(3000);
            try (Workers workers = new Workers()) {
                for (int r = 0; r < 2; r++) {
                    long[] next = reaped.get(r);
                    int reaper = r;
                    workers.start("reaper-" + r, () -> {
                        CompletionEvent[] events = CompletionEvent.newArray(4);
                        long[] last = {-1, -1};
                        int n;
                        while ((n = ring.getEvents(1, 4, events)) != -1) {
                            for (int i = 0; i < n; i++) {
                                long u = events[i].userData();
                                int p = MultiProducerRun.producer(u);
                                long k = MultiProducerRun.k(u);
                                if (events[i].result() != resultFor(u) || p > 1 || k <= last[p]) {
                                    throw new AssertionError("torn or out of order: " + u);
                                }
                                last[p] = k;
                                next[p]++;
                                count.incrementAndGet(reaper);
                            }
                        }
                        minusOnes.incrementAndGet();
                    });
                }
                for (int p = 0; p < 2; p++) {
                    int producer = p;
                    workers.start("producer-" + p, () -> {
                        go.await();
                        for (long k = 0; k < 4; k++) {
                            try {
                                ring.submit();
                            } catch (RingClosedException closed) {
                                refused.incrementAndGet();
                                return;
                            }
                            ring.complete(userData(producer, 1, 0, k), resultFor(userData(producer, 1, 0, k)));
                            completed.set(producer, k + 1);
                        }
                    });
                }
                workers.start("closer", () -> {
                    go.await();
                    spin(closeSpins);
                    ring.close();
                });
                workers.join(PROMPTLY, () -> "stats " + ring.stats());
            }
            String trialInfo = "trial " + trial + ": completed " + completed + ", reaped " + count + ", "
                    + ring.stats();
            assertEquals(2, minusOnes.get(), "both reapers end with -1: " + trialInfo);
            for (int p = 0; p < 2; p++) {
                assertEquals(completed.get(p), reaped.get(0)[p] + reaped.get(1)[p],
                        "producer " + p + "'s events reaped: " + trialInfo);
            }
            RingStats stats = ring.stats();
            long all = completed.get(0) + completed.get(1);
            assertEquals(all, stats.submitted(), trialInfo);
            assertEquals(all, stats.completed(), trialInfo);
            assertEquals(all, stats.reaped(), trialInfo);
            if (refused.get() > 0 && all > 0) {
                closedWhileProducing++;
            }
        }
        assertTrue(closedWhileProducing > 0, "the close never fell between two producers' completions");
    }

    // ---- a producer slow between its claim and its publication

    /**
     * Trial after trial, producer A completes a batch of 4,096 events with one completeAll (writing the slots takes
     * microseconds), and producer B completes one event a varying time later; B then reads ready() until both are
     * published. When B's claim came after A's, B's event waits behind A's batch: B's complete returns with its event
     * not yet visible (held back), and it appears once A publishes. Every value of ready() B reads must be 0, 1, 4,096
     * or 4,097: a batch is published whole. At the end both are there, once each, A's batch consecutive. The delay of B
     * follows a staircase (shorter after a trial where B claimed after A had published, longer after one where B
     * claimed first) so that B's claim lands during A's writes; the test requires that B was held back at least once.
     */
    @Test
    @Timeout(60)
    void producerSlowBetweenClaimAndPublishHoldsBackLaterEventsAndLosesNone() throws Exception {
        int batch = 4096;
        long[] userData = new long[batch];
        long[] results = new long[batch];
        for (int i = 0; i < batch; i++) {
            userData[i] = i;
            results[i] = resultFor(i);
        }
        long single = 1_000_000;
        CompletionEvent[] events = CompletionEvent.newArray(batch + 1);
        int delay = 0;
        int heldBack = 0;
        int bFirst = 0;
        int trials = 3000;
        for (int trial = 0; trial < trials; trial++) {
            CompletionRing ring = multiProducerRing(2 * batch, 0);
            assertTrue(ring.trySubmit(batch + 1));
            AtomicInteger go = new AtomicInteger();
            AtomicInteger bSawAfterItsCompletion = new AtomicInteger(-1);
            AtomicLong partial = new AtomicLong(-1);
            int bDelay = delay;
            try (Workers workers = new Workers()) {
                workers.start("A", () -> {
                    while (go.get() == 0) {
                        Thread.onSpinWait();
                    }
                    ring.completeAll(userData, results, 0, batch);
                });
                workers.start("B", () -> {
                    while (go.get() == 0) {
                        Thread.onSpinWait();
                    }
                    spin(bDelay);
                    ring.complete(single, resultFor(single));
                    int ready = ring.ready();
                    bSawAfterItsCompletion.set(ready);
                    while (ready != batch + 1) {
                        if (ready != 0 && ready != 1 && ready != batch) {
                            partial.set(ready);
                        }
                        ready = ring.ready();
                    }
                });
                go.set(1);
                workers.join(PROMPTLY, () -> "stats " + ring.stats());
            }
            String trialInfo = "trial " + trial + ", B's delay " + bDelay + ", B saw ready " + bSawAfterItsCompletion
                    + " after its completion";
            assertEquals(-1, partial.get(), "ready() showed part of a batch: " + trialInfo);
            assertEquals(batch + 1, ring.pollEvents(batch + 1, events), trialInfo);
            boolean bClaimedFirst = events[0].userData() == single;
            int first = bClaimedFirst ? 1 : 0;
            for (int i = 0; i < batch; i++) {
                assertEquals(i, events[first + i].userData(), "A's batch in order and consecutive: " + trialInfo);
                assertEquals(resultFor(i), events[first + i].result(), trialInfo);
            }
            assertEquals(single, events[bClaimedFirst ? 0 : batch].userData(), trialInfo);
            if (bClaimedFirst) {
                bFirst++;
                delay += 1 + delay / 8;                     // B came too early: later next time
            } else if (bSawAfterItsCompletion.get() == batch + 1) {
                delay = Math.max(0, delay - 1 - delay / 8); // A had published before B claimed: earlier next time
            } else {
                heldBack++;
                assertEquals(0, bSawAfterItsCompletion.get(), "B's event visible without A's batch: " + trialInfo);
            }
        }
        System.out.println("producerSlowBetweenClaimAndPublish: " + trials + " trials, B held back behind A's batch "
                + heldBack + " times, B claimed first " + bFirst + " times");
        assertTrue(heldBack > 0, "B never claimed while A was writing its batch, so nothing was held back");
    }

    /**
     * Every read of the tail moves it over the marks, and reads race each other: a read whose CAS loses to another's
     * must scan on from where that one left the tail, not return what it first read. One producer (so nothing it did
     * not write can hold its events back) completes and then asks {@code ready()}, while two threads call {@code
     * ready()} without pause: the answer must count the event just completed, every time.
     */
    @Test
    @Timeout(60)
    void aReadOfTheTailRacingOtherReadsCountsEveryEventCompletedBeforeIt() throws Exception {
        CompletionRing ring = multiProducerRing(64, 0);
        CompletionEvent[] events = CompletionEvent.newArray(64);
        AtomicInteger stop = new AtomicInteger();
        AtomicLong otherReads = new AtomicLong();
        int rounds = 500_000;
        try (Workers workers = new Workers()) {
            for (int r = 0; r < 2; r++) {
                workers.start("reader-" + r, () -> {
                    long reads = 0;
                    while (stop.get() == 0) {
                        ring.ready();                       // moves the tail, racing the producer's own read
                        reads++;
                    }
                    otherReads.addAndGet(reads);
                });
            }
            long ready = 0;                                 // completed and not yet reaped, by this thread's count
            for (int i = 0; i < rounds; i++) {
                if (!ring.trySubmit()) {
                    ready -= ring.pollEvents(64, events);   // the only reaper: free the ring
                    assertTrue(ring.trySubmit(), "the ring is empty after the poll, round " + i);
                }
                ring.complete(i, resultFor(i));
                ready++;
                long seen = ring.ready();
                if (seen != ready) {
                    stop.set(1);
                    assertEquals(ready, seen, "ready() after complete in round " + i + ", " + ring.stats());
                }
            }
            stop.set(1);
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertTrue(otherReads.get() > 0, "the other readers never read the tail");
    }

    // ---- exactly once, in order, batches whole, under load

    @ParameterizedTest(name = "{0} producers, {1} reaper(s), 2,000,000 events, capacity 64")
    @CsvSource({"2, 1", "2, 2", "2, 4", "4, 1", "4, 2", "4, 4"})
    @Timeout(60)
    void concurrentProducersDeliverEveryEventOnceInOrderAndBatchesWhole(int producers, int reapers)
            throws InterruptedException {
        CompletionRing ring = multiProducerRing(64, WaitPolicy.DEFAULT_SPINS);
        MultiProducerRun run = new MultiProducerRun(producers, reapers, 2_000_000, ring, 41L * producers + reapers,
                8, 16, MultiProducerRun.Style.WAIT);
        MultiProducerRun.Counts counts = run.run(STALL);
        System.out.println(producers + " producers, " + reapers + " reapers: " + counts + ", " + ring.stats());
        assertTrue(counts.clean(), counts.toString());
        assertEquals(run.events(), counts.events(), counts.toString());
        RingStats stats = ring.stats();
        assertEquals(run.events(), stats.submitted(), stats.toString());
        assertEquals(run.events(), stats.completed(), stats.toString());
        assertEquals(run.events(), stats.reaped(), stats.toString());
    }

    @Test
    @Timeout(60)
    void parkingReapersGetEveryEventOfConcurrentProducers() throws InterruptedException {
        CompletionRing ring = multiProducerRing(64, 0);
        MultiProducerRun run = new MultiProducerRun(3, 3, 300_000, ring, 43, 8, 16, MultiProducerRun.Style.WAIT);
        MultiProducerRun.Counts counts = run.run(STALL);
        assertTrue(counts.clean(), counts.toString());
        assertEquals(run.events(), counts.events(), counts.toString());
        assertTrue(ring.stats().parks() > 0, "no reaper parked: " + ring.stats());
    }

    @Test
    @Timeout(60)
    void timeoutsRacingConcurrentProducersLoseNothingAndDuplicateNothing() throws InterruptedException {
        CompletionRing ring = multiProducerRing(16, 0);
        MultiProducerRun run = new MultiProducerRun(2, 3, 200_000, ring, 44, 4, 4, MultiProducerRun.Style.TIMEOUTS);
        MultiProducerRun.Counts counts = run.run(STALL);
        assertTrue(counts.clean(), counts.toString());
        assertEquals(run.events(), counts.events(), counts.toString());
        assertTrue(counts.timeouts() > 0, "no call timed out, so nothing raced: " + counts);
    }

    @Test
    @Timeout(60)
    void interruptsRacingConcurrentProducersLoseNothingAndDuplicateNothing() throws InterruptedException {
        CompletionRing ring = multiProducerRing(16, 0);
        MultiProducerRun run = new MultiProducerRun(2, 2, 200_000, ring, 45, 4, 4, MultiProducerRun.Style.INTERRUPTS);
        MultiProducerRun.Counts counts = run.run(STALL);
        assertTrue(counts.clean(), counts.toString());
        assertEquals(run.events(), counts.events(), counts.toString());
        assertTrue(counts.interrupts() > 0, "no interrupt hit a reaper: " + counts);
    }

    // ---- targeted wake-ups

    @Test
    void eachProducersCompletionWakesOnlyOneOfManyParkedReapers() throws Exception {
        CompletionRing ring = multiProducerRing(8, 0);
        assertTrue(ring.trySubmit(2));
        AtomicInteger done = new AtomicInteger();
        try (Workers workers = new Workers()) {
            Thread[] reapers = new Thread[4];
            for (int i = 0; i < reapers.length; i++) {
                reapers[i] = workers.start("reaper-" + i, () -> {
                    ring.getEvents(1, 1, CompletionEvent.newArray(1));
                    done.incrementAndGet();
                });
            }
            awaitParked(ring, reapers);
            workers.start("producer-0", () -> ring.complete(0, resultFor(0)));
            TestSupport.await(() -> done.get() == 1, () -> "one reaper to take the first event: " + ring.stats());
            assertEquals(1, ring.stats().unparks(), "one event should wake one reaper: " + ring.stats());
            workers.start("producer-1", () -> ring.complete(1, resultFor(1)));
            TestSupport.await(() -> done.get() == 2, () -> "one reaper to take the second event: " + ring.stats());
            assertEquals(2, ring.stats().unparks(), "one event should wake one reaper: " + ring.stats());
            assertEquals(2, ring.stats().waiters());
            ring.close();
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
    }

    // ---- seed 000 for every producer

    /**
     * Seed 000 with the completing thread alternating: a reaper parked in getEvents(1, 1) on a multi-producer ring of
     * capacity 1, two producers taking turns. Round r is completed by producer r % 2 once the reaper's reply to round
     * r - 1 has reached it (each producer has a reply ring of its own), so one event is in flight at a time and every
     * completion comes from the other thread than the last. A lost wake-up stops the loop; the watchdog calls it a
     * hang after 5 s without a finished round.
     */
    @ParameterizedTest(name = "reaper spin budget {0}, producer spin budget {1}, delay up to {2} spins, {3} rounds")
    @CsvSource({"0, 1000000, 64, 100000", "0, 0, 64, 200000"})
    @Timeout(60)
    void parkedReaperIsWokenWhicheverProducerCompletes(int reaperSpins, int producerSpins, int maxDelaySpins,
                                                        long rounds) throws InterruptedException {
        CompletionRing request = multiProducerRing(1, reaperSpins);
        CompletionRing[] replies = {
            CompletionRing.builder().capacity(1).spinBudget(producerSpins).build(),
            CompletionRing.builder().capacity(1).spinBudget(producerSpins).build()};
        AtomicLong done = new AtomicLong();                 // the highest round + 1 a producer has finished
        AtomicLong reaped = new AtomicLong();               // the rounds the reaper got, in order
        String hang = null;
        try (Workers workers = new Workers()) {
            workers.start("reaper", () -> {
                SplittableRandom random = new SplittableRandom(rounds + 1);
                CompletionEvent[] events = CompletionEvent.newArray(1);
                long expected = 0;
                while (request.getEvents(1, 1, events) == 1) {
                    long round = events[0].userData();
                    if (round != expected++ || events[0].result() != resultFor(round)) {
                        throw new AssertionError("reaper got " + round + " (result " + events[0].result()
                                + ") in round " + (expected - 1));
                    }
                    reaped.lazySet(expected);
                    spin(random.nextInt(maxDelaySpins + 1));
                    CompletionRing reply = replies[(int) ((round + 1) & 1)];
                    if (!reply.trySubmit()) {
                        throw new AssertionError("reply ring full in round " + round);
                    }
                    reply.complete(round, resultFor(round));
                }
            });
            for (int p = 0; p < 2; p++) {
                int producer = p;
                workers.start("producer-" + p, () -> {
                    SplittableRandom random = new SplittableRandom(rounds + 2 + producer);
                    CompletionEvent[] events = CompletionEvent.newArray(1);
                    for (long round = producer; round < rounds; round += 2) {
                        if (round > 0 && (replies[producer].getEvents(1, 1, events) != 1
                                || events[0].userData() != round - 1)) {
                            throw new AssertionError("producer " + producer + " got the wrong reply before round "
                                    + round);
                        }
                        spin(random.nextInt(maxDelaySpins + 1));
                        if (!request.trySubmit()) {
                            throw new AssertionError("request ring full in round " + round);
                        }
                        request.complete(round, resultFor(round));
                        // The other producer may finish the next round before this thread gets here: keep the max.
                        done.accumulateAndGet(round + 1, Math::max);
                    }
                    if (rounds % 2 == (producer + 1) % 2) {
                        request.close();                    // this producer completed the last round
                    }
                });
            }
            long last = -1;
            long lastChange = System.nanoTime();
            Duration stall = Duration.ofSeconds(5);
            while (!workers.awaitDone(Duration.ofMillis(100))) {
                long d = done.get();
                if (d != last) {
                    last = d;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > stall.toNanos()) {
                    hang = "hang in round " + d + " of " + rounds + ": no round finished for " + stall.toMillis()
                            + " ms; request ring " + request.stats() + " ready " + request.ready() + workers.stacks();
                    break;
                }
            }
        }
        assertEquals(null, hang);
        assertEquals(rounds, done.get());
        assertEquals(rounds, reaped.get(), "rounds the reaper got");
        assertTrue(request.stats().parks() > 0, "the reaper never parked: " + request.stats());
    }
}
