package io.completionring;

import static io.completionring.TestSupport.resultFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rule 11: reapers, submitters and the producer may be virtual threads. Runs on JDK 21 or newer (skipped on 17); the
 * executor is looked up reflectively so that this file compiles with --release 17. The pom gives the virtual-thread
 * scheduler one carrier and no compensation, so a virtual thread that pinned its carrier while parked in the ring
 * would starve the others, and the test would time out instead of finishing.
 */
class VirtualThreadTest {

    private ExecutorService executor;
    private final Workers failures = new Workers();

    @BeforeEach
    void virtualThreadExecutor() throws ReflectiveOperationException {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+, this is " + Runtime.version());
        executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }

    @AfterEach
    void shutDown() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** Waits for the tasks to finish; fails on a task's failure or after the timeout as a hang (pinned carrier?). */
    private void awaitTasks(CountDownLatch done, CompletionRing ring) throws InterruptedException {
        boolean finished = done.await(30, TimeUnit.SECONDS);
        failures.checkFailure();
        assertTrue(finished,
                "virtual threads did not finish in 30 s (a carrier pinned while parked?): " + ring.stats());
    }

    @Test
    @Timeout(60)
    void virtualReaperAndVirtualProducerPingPongOnOneCarrier() throws InterruptedException {
        long rounds = 20_000;
        CompletionRing request = CompletionRing.builder().capacity(1).spinBudget(0).build();
        CompletionRing reply = CompletionRing.builder().capacity(1).spinBudget(0).build();
        CountDownLatch done = new CountDownLatch(2);
        executor.execute(failures.task(() -> {
            try {
                CompletionEvent[] events = CompletionEvent.newArray(1);
                while (request.getEvents(1, 1, events) == 1) {
                    assertTrue(reply.trySubmit());
                    reply.complete(events[0].userData(), events[0].result());
                }
            } finally {
                done.countDown();
            }
        }));
        executor.execute(failures.task(() -> {
            try {
                CompletionEvent[] events = CompletionEvent.newArray(1);
                for (long round = 0; round < rounds; round++) {
                    assertTrue(request.trySubmit());
                    request.complete(round, resultFor(round));
                    assertEquals(1, reply.getEvents(1, 1, events));
                    assertEquals(round, events[0].userData());
                    assertEquals(resultFor(round), events[0].result());
                }
                request.close();
            } finally {
                done.countDown();
            }
        }));
        awaitTasks(done, request);
    }

    @Test
    @Timeout(60)
    void spinningVirtualReapersDoNotStarveTheVirtualProducer() throws InterruptedException {
        // The default spin budget: a virtual reaper that spun without end would hold the only carrier.
        long events = 200_000;
        CompletionRing ring = CompletionRing.builder().capacity(64).build();
        List<BitSet> seen = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(5);
        for (int r = 0; r < 4; r++) {
            BitSet mine = new BitSet();
            seen.add(mine);
            executor.execute(failures.task(() -> {
                try {
                    CompletionEvent[] holders = CompletionEvent.newArray(8);
                    int n;
                    while ((n = ring.getEvents(1, 8, holders)) != -1) {
                        for (int i = 0; i < n; i++) {
                            assertEquals(resultFor(holders[i].userData()), holders[i].result(), "torn pair");
                            mine.set((int) holders[i].userData());
                        }
                    }
                } finally {
                    done.countDown();
                }
            }));
        }
        executor.execute(failures.task(() -> {
            try {
                for (long i = 0; i < events; i++) {
                    ring.submit();
                    ring.complete(i, resultFor(i));
                }
                ring.close();
            } finally {
                done.countDown();
            }
        }));
        awaitTasks(done, ring);
        BitSet union = new BitSet();
        long total = 0;
        for (BitSet s : seen) {
            total += s.cardinality();
            union.or(s);
        }
        assertEquals(events, union.cardinality(), "lost events");
        assertEquals(events, total, "duplicated events");
    }

    @Test
    @Timeout(60)
    void parkedVirtualSubmittersAreWokenByAVirtualReaper() throws InterruptedException {
        int perSubmitter = 5_000;
        int submitters = 8;
        long total = (long) perSubmitter * submitters;
        CompletionRing ring = CompletionRing.builder().capacity(2).spinBudget(0).build();
        CountDownLatch done = new CountDownLatch(submitters + 1);
        for (int s = 0; s < submitters; s++) {
            executor.execute(failures.task(() -> {
                try {
                    for (int i = 0; i < perSubmitter; i++) {
                        ring.submit();                  // parks while both slots are taken
                    }
                } finally {
                    done.countDown();
                }
            }));
        }
        AtomicLong reaped = new AtomicLong();
        executor.execute(failures.task(() -> {
            // The only producer and reaper: completes whatever is in flight, reaps it, frees the slots.
            try {
                CompletionEvent[] events = CompletionEvent.newArray(2);
                long completed = 0;
                while (reaped.get() < total) {
                    for (int k = ring.inFlight(); k > 0; k--) {
                        ring.complete(completed, resultFor(completed));
                        completed++;
                    }
                    int n = ring.pollEvents(2, events);
                    if (n > 0) {
                        reaped.addAndGet(n);
                    } else {
                        Thread.yield();                 // let the submitters run on the one carrier
                    }
                }
            } finally {
                done.countDown();
            }
        }));
        awaitTasks(done, ring);
        assertEquals(total, reaped.get());
        assertEquals(total, ring.stats().submitted());
    }
}
