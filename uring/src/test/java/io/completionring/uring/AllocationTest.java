package io.completionring.uring;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The driver allocates nothing in its steady state: reads queued, submitted, reaped and completed in batches, with
 * two reapers re-issuing reads as the benchmark does. Measured with the driver thread's allocated bytes
 * (com.sun.management.ThreadMXBean) over 100,000 reads after 100,000 of warm-up.
 */
@Timeout(120)
class AllocationTest {

    static final int DEPTH = 32;
    static final int WARM_UP = 1_000_000;
    static final int MEASURED = 100_000;

    @TempDir
    Path dir;

    @Test
    void theDriverAllocatesNothingInItsSteadyState() throws Exception {
        final Path path = TestFiles.patternFile(dir, "pattern", 1 << 22);
        final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (CompletionRing ring = CompletionRing.create(2 * DEPTH);
             UringReader reader = UringReader.open(ring, DEPTH);
             UringFile file = reader.openFile(path)) {
            final long driver = reader.driver().thread().threadId();
            final ByteBuffer[] buffers = new ByteBuffer[DEPTH];
            for (int s = 0; s < DEPTH; s++) {
                buffers[s] = ByteBuffer.allocateDirect(4096);
            }
            final long[] allocated = new long[2];
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final int total = WARM_UP + MEASURED;
            final long[] issued = {DEPTH};
            final List<Thread> reapers = new ArrayList<>();
            final Object issueLock = new Object();
            for (int r = 0; r < 2; r++) {
                reapers.add(Thread.ofPlatform().start(() -> {
                    final CompletionEvent[] events = CompletionEvent.newArray(16);
                    try {
                        int n;
                        while ((n = ring.getEvents(1, events.length, events)) != -1) {
                            for (int i = 0; i < n; i++) {
                                if (events[i].result() != 4096) {
                                    throw new AssertionError("result " + events[i].result());
                                }
                                final int slot = (int) events[i].userData();
                                final long next;
                                synchronized (issueLock) {
                                    next = issued[0] < total ? issued[0]++ : -1;
                                    if (next == WARM_UP) {
                                        allocated[0] = threads.getThreadAllocatedBytes(driver);
                                    }
                                }
                                if (next >= 0) {
                                    reader.read(file, 4096 * (next % 1024), buffers[slot], slot);
                                } else if (ring.inFlight() == 0 && ring.ready() == 0) {
                                    ring.close();
                                }
                            }
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                        ring.close();
                    }
                }));
            }
            for (int s = 0; s < DEPTH; s++) {
                reader.read(file, 4096L * s, buffers[s], s);
            }
            for (Thread t : reapers) {
                t.join();
            }
            allocated[1] = threads.getThreadAllocatedBytes(driver);
            assertNull(failure.get());
            assertEquals(0, allocated[1] - allocated[0], "bytes the driver allocated in " + MEASURED + " reads; "
                    + reader.driver().stats());
        }
    }
}
