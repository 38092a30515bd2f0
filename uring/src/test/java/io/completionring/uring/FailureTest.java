package io.completionring.uring;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A driver that fails does not fail silently: here another thread completes into the reader's single-producer ring
 * (which the javadoc forbids), so the driver's completeAll finds no reservation for its read. The reader then
 * refuses reads with an IllegalStateException whose cause is the failure, completes what it accepted otherwise,
 * reports the failure to the thread's uncaught-exception handler, and close() returns.
 */
@Timeout(30)
class FailureTest {

    @TempDir
    Path dir;

    @Test
    void aForeignCompletionInTheReadersSingleProducerRingFailsTheReaderLoudly() throws Exception {
        final Path fifo = TestFiles.fifo(dir, "fifo");
        final Path path = TestFiles.patternFile(dir, "pattern", 1 << 16);
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             CompletionRing ring = CompletionRing.create(8)) {
            final UringReader reader = UringReader.open(ring, 4);
            final AtomicReference<Throwable> reported = new AtomicReference<>();
            final CountDownLatch reportedLatch = new CountDownLatch(1);
            reader.driver().thread().setUncaughtExceptionHandler((thread, e) -> {
                reported.set(e);
                reportedLatch.countDown();
            });
            final UringFile pipe = reader.openFile(fifo);
            final UringFile file = reader.openFile(path);
            reader.read(pipe, 0, ByteBuffer.allocateDirect(4), 1);     // reserves a slot; in the kernel, waiting
            ring.complete(99, 0);                                      // the misuse: takes the read's reservation
            writer.write(new byte[] {1, 2, 3, 4});                     // the read completes: no reservation left
            assertTrue(reportedLatch.await(10, TimeUnit.SECONDS), "the failure was reported");
            assertInstanceOf(IllegalStateException.class, reported.get());
            final IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> reader.read(file, 0, ByteBuffer.allocateDirect(16), 2));
            assertSame(reported.get(), e.getCause());
            assertTrue(e.getMessage().contains("driver failed"), e.getMessage());
            reader.close();
            final CompletionEvent[] events = CompletionEvent.newArray(4);
            assertEquals(1, ring.pollEvents(4, events), "only the foreign event");
            assertEquals(99, events[0].userData());
            file.close();
            pipe.close();
        }
    }
}
