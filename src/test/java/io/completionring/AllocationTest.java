package io.completionring;

import static io.completionring.TestSupport.resultFor;
import static io.completionring.TestSupport.submitAndComplete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule 10: once the holders exist, submitting, completing, reaping, parking and waking allocate nothing. Measured with
 * the per-thread allocation counter of {@code com.sun.management.ThreadMXBean} after a warm-up; the slack covers the
 * measurement's own noise (a few hundred bytes at most), far below one allocation per operation.
 *
 * <p>The wait path asks JFR whether its events are wanted ({@link WaitEvents}); that must allocate nothing either, in
 * both states a JVM with jdk.jfr can be in while nothing records: Flight Recorder never initialized (a child JVM,
 * since this one may have run a recording already), and initialized, with the event types registered, but no
 * recording running. (Without jdk.jfr, WaitEvents returns at once.)
 */
class AllocationTest {

    private static final long SLACK_BYTES = 1024;
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    /** Park/wake rounds before the measurement, and measured. */
    private static final int PARK_WAKE_WARMUP = 50_000;
    private static final int PARK_WAKE_MEASURED = 50_000;

    @BeforeAll
    static void allocationCounter() {
        assumeTrue(Counter.BYTES != null, "no per-thread allocation counter on this JVM");
    }

    private static long allocatedBytes() {
        return Counter.allocatedBytes();
    }

    /**
     * The calling thread's allocated bytes: {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)},
     * bound to the platform bean. Looked up reflectively: the tests are compiled inside the library's module, which
     * (rightly) does not read java.management; they run on the class path, where the lookup works. A class of its own,
     * without JUnit, so that a child JVM can use it too.
     */
    static final class Counter {
        /** Null if this JVM has no per-thread allocation counter. */
        static final MethodHandle BYTES = lookUp();

        private static MethodHandle lookUp() {
            try {
                final Object bean = Class.forName("java.lang.management.ManagementFactory")
                        .getMethod("getThreadMXBean").invoke(null);
                final Class<?> sunBean = Class.forName("com.sun.management.ThreadMXBean");
                if (!sunBean.isInstance(bean)
                        || !(Boolean) sunBean.getMethod("isThreadAllocatedMemorySupported").invoke(bean)) {
                    return null;
                }
                sunBean.getMethod("setThreadAllocatedMemoryEnabled", boolean.class).invoke(bean, true);
                return MethodHandles.publicLookup()
                        .findVirtual(sunBean, "getThreadAllocatedBytes", MethodType.methodType(long.class, long.class))
                        .bindTo(bean);
            } catch (ReflectiveOperationException e) {
                return null;
            }
        }

        @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+
        static long allocatedBytes() {
            try {
                return (long) BYTES.invokeExact(Thread.currentThread().getId());
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
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
        assertNothingAllocated(ParkWake.run(PARK_WAKE_WARMUP, PARK_WAKE_MEASURED));
    }

    @Test
    @Timeout(60)
    void parkingAndWakingAllocateNothingWhileFlightRecorderIsInitializedAndNotRecording() throws Exception {
        // A recording that enables the wait events, and a ring created while it runs, which registers their types;
        // then the recording stops. From now on every wait asks JFR whether the events are enabled.
        try (Recording recording = new Recording()) {
            recording.enable("io.completionring.ReaperWait");
            recording.enable("io.completionring.SubmitterWait");
            recording.start();
            CompletionRing.create(1);
            recording.stop();
        }
        assertTrue(FlightRecorder.isInitialized());
        assertTrue(FlightRecorder.getFlightRecorder().getEventTypes().stream()
                .anyMatch(t -> t.getName().equals("io.completionring.ReaperWait")), "the event types are registered");
        assertNothingAllocated(ParkWake.run(PARK_WAKE_WARMUP, PARK_WAKE_MEASURED));
    }

    @Test
    @Timeout(120)
    void parkingAndWakingAllocateNothingInAJvmWhereFlightRecorderWasNeverInitialized(@TempDir Path dir)
            throws Exception {
        final ChildJvm.Result child = ChildJvm.run(dir, ChildJvm.java(), List.of(
                "-cp", ChildJvm.classPath(CompletionRing.class, ParkWake.class), ParkWake.class.getName()));
        assertEquals(0, child.exit(), child.toString());
        final String[] fields = child.stdout().strip().split(" ");
        assertEquals(4, fields.length, child.toString());
        assertEquals("initialized=false", fields[0], "Flight Recorder was initialized in the child: " + child);
        assertNothingAllocated(new ParkWake(value(fields[1], "reaper="), value(fields[2], "producer="),
                value(fields[3], "parks=")));
    }

    private static long value(String field, String name) {
        assertTrue(field.startsWith(name), field);
        return Long.parseLong(field.substring(name.length()));
    }

    private static void assertNothingAllocated(ParkWake run) {
        assertTrue(run.parks() > PARK_WAKE_MEASURED, "the rounds should mostly park: " + run);
        assertTrue(run.reaperBytes() <= SLACK_BYTES,
                "the reaper allocated " + run.reaperBytes() + " bytes in " + PARK_WAKE_MEASURED + " park/wake rounds");
        assertTrue(run.producerBytes() <= SLACK_BYTES, "the producer allocated " + run.producerBytes() + " bytes in "
                + PARK_WAKE_MEASURED + " park/wake rounds");
    }

    /**
     * Ping-pong between two threads through two spin-free rings: every round parks and unparks on both sides. What
     * each thread allocated over the measured rounds, and the parks of both rings. No JUnit, so that a child JVM can
     * run it ({@link #main}).
     */
    record ParkWake(long reaperBytes, long producerBytes, long parks) {

        static ParkWake run(int warmup, int measured) throws InterruptedException {
            final CompletionRing request = CompletionRing.builder().capacity(1).spinBudget(0).build();
            final CompletionRing reply = CompletionRing.builder().capacity(1).spinBudget(0).build();
            final long[] allocated = {-1, -1};
            final Throwable[] failure = new Throwable[2];
            final Thread reaper = new Thread(() -> {
                try {
                    CompletionEvent[] events = CompletionEvent.newArray(1);
                    long before = 0;
                    for (int round = 0; round < warmup + measured; round++) {
                        if (round == warmup) {
                            before = Counter.allocatedBytes();
                        }
                        request.getEvents(1, 1, events);
                        reply.trySubmit();
                        reply.complete(events[0].userData(), events[0].result());
                    }
                    allocated[0] = Counter.allocatedBytes() - before;
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }, "reaper");
            final Thread producer = new Thread(() -> {
                try {
                    CompletionEvent[] events = CompletionEvent.newArray(1);
                    long before = 0;
                    for (int round = 0; round < warmup + measured; round++) {
                        if (round == warmup) {
                            before = Counter.allocatedBytes();
                        }
                        request.trySubmit();
                        request.complete(round, round);
                        reply.getEvents(1, 1, events);
                    }
                    allocated[1] = Counter.allocatedBytes() - before;
                } catch (Throwable e) {
                    failure[1] = e;
                }
            }, "producer");
            reaper.setDaemon(true);
            producer.setDaemon(true);
            reaper.start();
            producer.start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
            for (Thread t : new Thread[] {reaper, producer}) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (t.isAlive()) {
                    throw new AssertionError("hang: " + t.getName() + " still running after 50 s; request "
                            + request.stats() + ", reply " + reply.stats());
                }
            }
            for (Throwable e : failure) {
                if (e != null) {
                    throw new AssertionError("a ping-pong thread failed: " + e, e);
                }
            }
            return new ParkWake(allocated[0], allocated[1], request.stats().parks() + reply.stats().parks());
        }

        /** Runs the rounds in this JVM and prints whether Flight Recorder was initialized, and what was allocated. */
        public static void main(String[] args) throws InterruptedException {
            if (Counter.BYTES == null) {
                throw new IllegalStateException("no per-thread allocation counter on this JVM");
            }
            final ParkWake run = run(PARK_WAKE_WARMUP, PARK_WAKE_MEASURED);
            System.out.println("initialized=" + FlightRecorder.isInitialized() + " reaper=" + run.reaperBytes()
                    + " producer=" + run.producerBytes() + " parks=" + run.parks());
        }
    }
}
