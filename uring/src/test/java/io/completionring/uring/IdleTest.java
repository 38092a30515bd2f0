package io.completionring.uring;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver never burns a core while idle: it parks while no read is queued, and blocks in io_uring_enter while a
 * read is in the kernel (here one that never completes). Measured as the driver thread's CPU time over a quiet
 * interval.
 */
@Timeout(30)
class IdleTest {

    static final long QUIET_MILLIS = 300;
    /** The most CPU the driver may use in QUIET_MILLIS: its idle poll (50 us) and scheduler noise, not a busy loop. */
    static final long MAX_CPU_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    @TempDir
    Path dir;

    @Test
    void theDriverParksWhenNoReadIsQueued() throws Exception {
        final Path path = TestFiles.patternFile(dir, "pattern", 1 << 16);
        try (CompletionRing ring = CompletionRing.create(8);
             UringReader reader = UringReader.open(ring, 4);
             UringFile file = reader.openFile(path)) {
            reader.read(file, 0, ByteBuffer.allocateDirect(4096), 1);
            assertEquals(1, ring.getEvents(1, 1, CompletionEvent.newArray(1)));
            final Thread driver = reader.driver().thread();
            while (driver.getState() != Thread.State.WAITING) {   // past its idle poll: parked
                Thread.onSpinWait();
            }
            assertQuiet(driver);
        }
    }

    @Test
    void theDriverBlockedOnAReadThatDoesNotCompleteUsesNoCpu() throws Exception {
        final Path fifo = TestFiles.fifo(dir, "fifo");
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             CompletionRing ring = CompletionRing.create(8);
             UringReader reader = UringReader.open(ring, 4);
             UringFile pipe = reader.openFile(fifo)) {
            reader.read(pipe, 0, ByteBuffer.allocateDirect(16), 1);
            Thread.sleep(50);                               // past its start: the check is over the next 300 ms
            assertQuiet(reader.driver().thread());
        }
    }

    static void assertQuiet(Thread driver) throws InterruptedException {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long before = threads.getThreadCpuTime(driver.threadId());
        Thread.sleep(QUIET_MILLIS);
        final long used = threads.getThreadCpuTime(driver.threadId()) - before;
        assertTrue(used < MAX_CPU_NANOS, "the idle driver used " + used / 1000 + " us of CPU in " + QUIET_MILLIS
                + " ms");
    }
}
