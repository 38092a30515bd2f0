package io.completionring;

import static io.completionring.TestSupport.resultFor;
import static io.completionring.TestSupport.submitAndComplete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rule 10: once the holders exist, submitting, completing, reaping, parking and waking allocate nothing. Measured with
 * the per-thread allocation counter of {@code com.sun.management.ThreadMXBean} after a warm-up; the slack covers the
 * measurement's own noise (a few hundred bytes at most), far below one allocation per operation.
 */
class AllocationTest {

    private static final long SLACK_BYTES = 1024;
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    /** {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}, bound to the platform bean. */
    private static MethodHandle threadAllocatedBytes;

    /**
     * Looked up reflectively: the tests are compiled inside the library's module, which (rightly) does not read
     * java.management; they run on the class path, where the lookup works.
     */
    @BeforeAll
    static void allocationCounter() throws Throwable {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Class<?> sunBean;
        try {
            sunBean = Class.forName("com.sun.management.ThreadMXBean");
        } catch (ClassNotFoundException e) {
            sunBean = null;
        }
        assumeTrue(sunBean != null && sunBean.isInstance(bean), "no per-thread allocation counter on this JVM");
        assumeTrue((Boolean) sunBean.getMethod("isThreadAllocatedMemorySupported").invoke(bean),
                "per-thread allocation counting unsupported");
        sunBean.getMethod("setThreadAllocatedMemoryEnabled", boolean.class).invoke(bean, true);
        threadAllocatedBytes = MethodHandles.publicLookup()
                .findVirtual(sunBean, "getThreadAllocatedBytes", MethodType.methodType(long.class, long.class))
                .bindTo(bean);
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+
    private static long allocatedBytes() {
        try {
            return (long) threadAllocatedBytes.invokeExact(Thread.currentThread().getId());
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** One round of the single-thread steady state: every non-waiting operation of the API. */
    private static long round(CompletionRing ring, CompletionEvent[] events, long[] userData, long[] results, long next)
            throws InterruptedException {
        ring.trySubmit();
        ring.complete(next, resultFor(next));
        ring.getEvents(1, 4, events);
        ring.trySubmit(4);
        for (int i = 0; i < 4; i++) {
            userData[i] = next + 1 + i;
            results[i] = resultFor(next + 1 + i);
        }
        ring.completeAll(userData, results, 0, 4);
        ring.pollEvents(2, events);
        ring.getEvents(0, 4, events, 1, TimeUnit.SECONDS);
        ring.submit();
        ring.submit(1, TimeUnit.SECONDS);
        ring.completeAll(userData, results, 0, 2);
        ring.getEvents(2, 4, events, ONE_SECOND);
        ring.ready();
        ring.inFlight();
        ring.remainingCapacity();
        return next + 5;
    }

    @Test
    @Timeout(60)
    void steadyStateOnOneThreadAllocatesNothing() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(64);
        CompletionEvent[] events = new CompletionEvent[4];  // null holders: filled once, during the warm-up
        long[] userData = new long[4];
        long[] results = new long[4];
        long next = 0;
        for (int i = 0; i < 200_000; i++) {
            next = round(ring, events, userData, results, next);
        }
        long before = allocatedBytes();
        for (int i = 0; i < 200_000; i++) {
            next = round(ring, events, userData, results, next);
        }
        long allocated = allocatedBytes() - before;
        assertEquals(0, ring.ready(), "the rounds should leave the ring empty");
        assertTrue(allocated <= SLACK_BYTES, allocated + " bytes allocated in 200,000 rounds ("
                + (allocated / 200_000.0)
                + " per round)");
    }

    @Test
    @Timeout(60)
    void steadyStateOnOneThreadAllocatesNothingInAMultiProducerRing() throws InterruptedException {
        CompletionRing ring = CompletionRing.builder().capacity(64).multiProducer(true).build();
        CompletionEvent[] events = new CompletionEvent[4];
        long[] userData = new long[4];
        long[] results = new long[4];
        long next = 0;
        for (int i = 0; i < 200_000; i++) {
            next = round(ring, events, userData, results, next);
        }
        long before = allocatedBytes();
        for (int i = 0; i < 200_000; i++) {
            next = round(ring, events, userData, results, next);
        }
        long allocated = allocatedBytes() - before;
        assertEquals(0, ring.ready(), "the rounds should leave the ring empty");
        assertTrue(allocated <= SLACK_BYTES, allocated + " bytes allocated in 200,000 rounds ("
                + (allocated / 200_000.0)
                + " per round)");
    }

    /**
     * Two producers completing concurrently into a multi-producer ring (one event at a time and batches of four), a
     * reaper taking them: after a warm-up, each producer measures its own allocation over 500,000 events, claims,
     * CAS races on the tail and waits for free slots included.
     */
    @Test
    @Timeout(60)
    void concurrentProducersAllocateNothingPerEvent() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(64).multiProducer(true).build();
        int warmup = 300_000;
        int measured = 500_000;
        AtomicLong[] producerAllocated = {new AtomicLong(-1), new AtomicLong(-1)};
        AtomicInteger finished = new AtomicInteger();
        try (Workers workers = new Workers()) {
            workers.start("reaper", () -> {
                CompletionEvent[] events = CompletionEvent.newArray(16);
                int n;
                do {
                    n = ring.getEvents(1, 16, events);      // what they hold is MultiProducerTest's business
                } while (n != -1);
            });
            for (int p = 0; p < 2; p++) {
                AtomicLong allocated = producerAllocated[p];
                workers.start("producer-" + p, () -> {
                    long[] userData = new long[4];
                    long[] results = new long[4];
                    long before = -1;
                    for (int i = 0; i < warmup + measured; ) {
                        if (before < 0 && i >= warmup) {
                            before = allocatedBytes();
                        }
                        if ((i & 7) == 0 && i + 4 <= warmup + measured && ring.trySubmit(4)) {
                            for (int k = 0; k < 4; k++) {
                                userData[k] = i + k;
                                results[k] = resultFor(i + k);
                            }
                            ring.completeAll(userData, results, 0, 4);
                            i += 4;
                        } else {
                            ring.submit();
                            ring.complete(i, resultFor(i));
                            i++;
                        }
                    }
                    allocated.set(allocatedBytes() - before);
                    if (finished.incrementAndGet() == 2) {
                        ring.close();
                    }
                });
            }
            workers.join(Duration.ofSeconds(50), () -> "stats " + ring.stats());
        }
        assertEquals(2L * (warmup + measured), ring.stats().reaped(), ring.stats().toString());
        for (int p = 0; p < 2; p++) {
            assertTrue(producerAllocated[p].get() <= SLACK_BYTES, "producer " + p + " allocated "
                    + producerAllocated[p].get() + " bytes in " + measured + " events");
        }
    }

    @Test
    @Timeout(60)
    void theSecondCallWithAnArrayOfNullHoldersAllocatesNothingWhateverTheFirstReturned() {
        // Each round: a fresh array of eight nulls; a first call that finds one event ready (it must fill all eight
        // holders on entry), then a measured second call that takes eight. Had the first call filled only the
        // holder it copied into, every second call would allocate seven holders (over 100 bytes).
        CompletionRing ring = CompletionRing.create(64);
        int warmup = 5_000;
        int rounds = 5_000;
        long measured = 0;
        for (int round = 0; round < warmup + rounds; round++) {
            CompletionEvent[] events = new CompletionEvent[8];
            submitAndComplete(ring, 0);
            assertEquals(1, ring.pollEvents(8, events), "first call");
            submitAndComplete(ring, 1, 8);
            long before = allocatedBytes();
            int n = ring.pollEvents(8, events);
            long allocated = allocatedBytes() - before;
            assertEquals(8, n, "second call");
            if (round >= warmup) {
                measured += allocated;
            }
        }
        assertTrue(measured <= SLACK_BYTES, measured + " bytes allocated by " + rounds + " second calls");
    }

    @Test
    @Timeout(60)
    void parkingAndWakingAllocateNothing() throws Exception {
        // Ping-pong between two threads through two spin-free rings: every round parks and unparks on both sides.
        CompletionRing request = CompletionRing.builder().capacity(1).spinBudget(0).build();
        CompletionRing reply = CompletionRing.builder().capacity(1).spinBudget(0).build();
        int warmup = 50_000;
        int measured = 50_000;
        AtomicLong reaperAllocated = new AtomicLong(-1);
        AtomicLong producerAllocated = new AtomicLong(-1);
        try (Workers workers = new Workers()) {
            workers.start("reaper", () -> {
                CompletionEvent[] events = CompletionEvent.newArray(1);
                long before = 0;
                for (int round = 0; round < warmup + measured; round++) {
                    if (round == warmup) {
                        before = allocatedBytes();
                    }
                    request.getEvents(1, 1, events);
                    reply.trySubmit();
                    reply.complete(events[0].userData(), events[0].result());
                }
                reaperAllocated.set(allocatedBytes() - before);
            });
            workers.start("producer", () -> {
                CompletionEvent[] events = CompletionEvent.newArray(1);
                long before = 0;
                for (int round = 0; round < warmup + measured; round++) {
                    if (round == warmup) {
                        before = allocatedBytes();
                    }
                    request.trySubmit();
                    request.complete(round, round);
                    reply.getEvents(1, 1, events);
                }
                producerAllocated.set(allocatedBytes() - before);
            });
            workers.join(Duration.ofSeconds(50), () -> "request " + request.stats() + ", reply " + reply.stats());
        }
        assertTrue(request.stats().parks() + reply.stats().parks() > measured,
                "the rounds should mostly park: " + request.stats() + ", " + reply.stats());
        assertTrue(reaperAllocated.get() <= SLACK_BYTES,
                "the reaper allocated " + reaperAllocated.get() + " bytes in " + measured + " park/wake rounds");
        assertTrue(producerAllocated.get() <= SLACK_BYTES,
                "the producer allocated " + producerAllocated.get() + " bytes in " + measured + " park/wake rounds");
    }
}
