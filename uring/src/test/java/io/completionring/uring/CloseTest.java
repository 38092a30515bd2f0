package io.completionring.uring;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly once under close: of the reader (reads in the kernel, queued, waiting for a ring slot, racing the close)
 * and of a file (its descriptor outlives its reads). Reads that never complete are reads of a FIFO whose writer (the
 * test, holding it open read-write) never writes.
 */
@Timeout(60)
class CloseTest {

    static final int ECANCELED = 125;

    @TempDir
    Path dir;

    @Test
    void closeWithOverAThousandReadsInFlightCompletesEachExactlyOnce() throws Exception {
        final Path path = TestFiles.patternFile(dir, "pattern", 1 << 22);
        final Path fifo = TestFiles.fifo(dir, "fifo");
        final int regular = 500;
        final int blocked = 1500;
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             CompletionRing ring = CompletionRing.create(4096)) {
            final UringReader reader = UringReader.open(ring, 1024);
            final UringFile file = reader.openFile(path);
            final UringFile pipe = reader.openFile(fifo);
            final ByteBuffer memory = ByteBuffer.allocateDirect(regular * 4096 + blocked * 16);
            final ByteBuffer[] buffers = new ByteBuffer[regular + blocked];
            for (int i = 0; i < regular + blocked; i++) {
                final boolean isRegular = i < regular;
                final int at = isRegular ? i * 4096 : regular * 4096 + (i - regular) * 16;
                buffers[i] = memory.slice(at, isRegular ? 4096 : 16);
                if (isRegular) {
                    reader.read(file, 4096L * i, buffers[i], i);
                } else {
                    reader.read(pipe, 0, buffers[i], i);
                }
            }
            assertTrue(ring.inFlight() >= 1000, "in flight at close: " + ring.inFlight());
            reader.close();
            assertEquals(0, ring.inFlight(), "every accepted read completed");
            final CompletionEvent[] events = CompletionEvent.newArray(256);
            final boolean[] seen = new boolean[regular + blocked];
            int completed = 0;
            int cancelled = 0;
            while (completed < regular + blocked) {
                final int n = ring.pollEvents(events.length, events);
                assertTrue(n > 0, "completions missing after close: " + completed);
                for (int k = 0; k < n; k++) {
                    final int id = (int) events[k].userData();
                    assertFalse(seen[id], "read " + id + " completed twice");
                    seen[id] = true;
                    final long result = events[k].result();
                    if (result == -ECANCELED) {
                        cancelled++;
                    } else {
                        assertTrue(id < regular, "a read of the FIFO returned " + result);
                        assertEquals(4096, result, "read " + id);
                        TestFiles.checkBytes(buffers[id], 0, 4096L * id, 4096);
                    }
                }
                completed += n;
            }
            assertEquals(0, ring.pollEvents(events.length, events), "no completion beyond the reads");
            assertTrue(cancelled >= blocked, "cancelled " + cancelled);
            file.close();
            pipe.close();
        }
    }

    @Test
    void aFileClosedWithReadsInFlightLetsThemFinishAndClosesItsDescriptorAfterTheLast() throws Exception {
        final Path fifo = TestFiles.fifo(dir, "fifo");
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             CompletionRing ring = CompletionRing.create(16);
             UringReader reader = UringReader.open(ring, 8)) {
            final UringFile pipe = reader.openFile(fifo);
            final int fd = pipe.fd();
            final ByteBuffer[] buffers = new ByteBuffer[3];
            for (int i = 0; i < 3; i++) {
                buffers[i] = ByteBuffer.allocateDirect(4);
                reader.read(pipe, 0, buffers[i], i);
            }
            pipe.close();
            assertEquals(fifo.toRealPath(), TestFiles.descriptorTarget(fd), "descriptor open while reads are");
            assertThrows(IllegalArgumentException.class, () -> reader.read(pipe, 0, ByteBuffer.allocateDirect(4), 9));
            writer.write("aaaabbbbcccc".getBytes(StandardCharsets.US_ASCII));
            final CompletionEvent[] events = CompletionEvent.newArray(3);
            final Set<String> chunks = new HashSet<>();
            for (int got = 0; got < 3; ) {
                final int n = ring.getEvents(1, 3 - got, events);
                for (int k = 0; k < n; k++) {
                    assertEquals(4, events[k].result());
                    final ByteBuffer b = buffers[(int) events[k].userData()];
                    chunks.add(StandardCharsets.US_ASCII.decode(b.duplicate()).toString());
                }
                got += n;
            }
            assertEquals(Set.of("aaaa", "bbbb", "cccc"), chunks);
            assertNotEquals(fifo.toRealPath(), TestFiles.descriptorTarget(fd), "descriptor closed after the last");
        }
    }

    @Test
    void aReadThatNeverCompletesHoldsBackNoOtherAndCloseCancelsIt() throws Exception {
        final Path path = TestFiles.patternFile(dir, "pattern", 1 << 20);
        final Path fifo = TestFiles.fifo(dir, "fifo");
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             CompletionRing ring = CompletionRing.create(16)) {
            // Queue depth 2: the FIFO read holds one of the kernel's two places for good.
            final UringReader reader = UringReader.open(ring, 2);
            final UringFile file = reader.openFile(path);
            final UringFile pipe = reader.openFile(fifo);
            reader.read(pipe, 0, ByteBuffer.allocateDirect(16), 999);
            final CompletionEvent[] events = CompletionEvent.newArray(1);
            final ByteBuffer dst = ByteBuffer.allocateDirect(4096);
            for (int i = 0; i < 200; i++) {
                reader.read(file, 4096L * (i % 256), dst, i);
                // The driver was blocked in io_uring_enter for the FIFO read: the new read must wake it.
                assertEquals(1, ring.getEvents(1, 1, events, 5, TimeUnit.SECONDS), "read " + i + " held back");
                assertEquals(i, events[0].userData());
                assertEquals(4096, events[0].result());
            }
            assertEquals(1, ring.inFlight(), "the FIFO read");
            reader.close();
            assertEquals(1, ring.getEvents(1, 1, events, 5, TimeUnit.SECONDS));
            assertEquals(999, events[0].userData());
            assertEquals(-ECANCELED, events[0].result());
            assertTrue(reader.driver().stats().wakeReads > 0, "woken through the eventfd read");
            file.close();
            pipe.close();
        }
    }

    @Test
    void aReadWaitingForARingSlotWhenTheReaderClosesThrowsAndReservesNothing() throws Exception {
        final Path fifo = TestFiles.fifo(dir, "fifo");
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             CompletionRing ring = CompletionRing.create(2)) {
            final UringReader reader = UringReader.open(ring, 4);
            final UringFile pipe = reader.openFile(fifo);
            reader.read(pipe, 0, ByteBuffer.allocateDirect(16), 1);
            reader.read(pipe, 0, ByteBuffer.allocateDirect(16), 2);  // the ring is full: 2 of 2 reserved
            final AtomicReference<Object> outcome = new AtomicReference<>();
            final AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
            final Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    reader.read(pipe, 0, ByteBuffer.allocateDirect(16), 3);
                    outcome.set("returned");
                } catch (Throwable e) {
                    outcome.set(e);
                }
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            while (waiter.getState() != Thread.State.WAITING) {  // parked in ring.submit(): the ring is full
                Thread.onSpinWait();
            }
            reader.close();
            waiter.join();
            final IllegalStateException e = assertInstanceOf(IllegalStateException.class, outcome.get());
            assertTrue(e.getMessage().contains("ring slot"), e.getMessage());
            assertFalse(interruptedAfter.get(), "close()'s interrupt must not leak to the caller");
            assertEquals(0, ring.inFlight(), "nothing reserved by the third read");
            assertEquals(2, ring.ready());
            final CompletionEvent[] events = CompletionEvent.newArray(4);
            assertEquals(2, ring.pollEvents(4, events));
            assertEquals(Set.of(1L, 2L), Set.of(events[0].userData(), events[1].userData()));
            assertEquals(-ECANCELED, events[0].result());
            assertEquals(-ECANCELED, events[1].result());
            pipe.close();
        }
    }

    @Test
    void closeIsIdempotentAcrossThreadsAndLeavesTheRingOpen() throws Exception {
        try (CompletionRing ring = CompletionRing.create(8)) {
            final UringReader reader = UringReader.open(ring, 4);
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> closers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                closers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    reader.close();
                }));
            }
            start.countDown();
            for (Thread t : closers) {
                t.join();
            }
            reader.close();
            assertFalse(ring.isClosed());
            assertTrue(ring.trySubmit(), "the ring still takes reservations");
        }
    }

    @Test
    void readsRacingCloseEitherCompleteExactlyOnceOrThrow() throws Exception {
        final Path path = TestFiles.patternFile(dir, "pattern", 1 << 20);
        final int threads = 4;
        final int maxPerThread = 1 << 16;
        try (CompletionRing ring = CompletionRing.create(64)) {
            final UringReader reader = UringReader.open(ring, 8);
            final UringFile file = reader.openFile(path);
            final AtomicInteger accepted = new AtomicInteger();
            final AtomicIntegerArray seen = new AtomicIntegerArray(threads * maxPerThread);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicInteger completed = new AtomicInteger();
            final Thread reaper = Thread.ofPlatform().start(() -> {
                final CompletionEvent[] events = CompletionEvent.newArray(32);
                try {
                    int n;
                    while ((n = ring.getEvents(1, events.length, events)) != -1) {
                        for (int k = 0; k < n; k++) {
                            final int id = (int) events[k].userData();
                            if (!seen.compareAndSet(id, 0, 1)) {
                                throw new AssertionError("read " + id + " completed twice");
                            }
                            final long r = events[k].result();
                            if (r != 512 && r != -ECANCELED) {
                                throw new AssertionError("read " + id + " returned " + r);
                            }
                            completed.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            final CountDownLatch running = new CountDownLatch(threads * 100);
            final List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int me = t;
                submitters.add(Thread.ofPlatform().start(() -> {
                    final ByteBuffer[] buffers = new ByteBuffer[64];
                    for (int b = 0; b < buffers.length; b++) {
                        buffers[b] = ByteBuffer.allocateDirect(512);
                    }
                    for (int i = 0; i < maxPerThread; i++) {
                        try {
                            reader.read(file, 512L * (i % 2048), buffers[i % buffers.length],
                                    me * maxPerThread + i);
                        } catch (IllegalStateException e) {
                            return;                         // closed: this read was not accepted
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                            return;
                        }
                        accepted.incrementAndGet();
                        running.countDown();
                    }
                }));
            }
            running.await();
            reader.close();
            for (Thread t : submitters) {
                t.join();
            }
            ring.close();
            reaper.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(accepted.get(), completed.get(), "every accepted read completed once, no other");
            assertNull(failure.get());
            file.close();
        }
    }
}
