package io.completionring.uring;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tryRead on a full ring returns false at once and queues nothing; with a free slot it queues the read. */
@Timeout(30)
class TryReadTest {

    @TempDir
    Path dir;

    @Test
    void tryReadOnAFullRingReturnsFalseAndQueuesNothing() throws Exception {
        final Path path = TestFiles.patternFile(dir, "pattern", 1 << 16);
        final Path fifo = TestFiles.fifo(dir, "fifo");
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             CompletionRing ring = CompletionRing.create(4)) {
            final UringReader reader = UringReader.open(ring, 8);
            final UringFile pipe = reader.openFile(fifo);
            final UringFile file = reader.openFile(path);
            for (int i = 0; i < 4; i++) {
                assertTrue(reader.tryRead(pipe, 0, ByteBuffer.allocateDirect(16), i), "slot " + i + " free");
            }
            assertEquals(4, ring.inFlight());
            assertFalse(reader.tryRead(file, 0, ByteBuffer.allocateDirect(4096), 100), "the ring is full");
            assertEquals(4, ring.inFlight(), "nothing reserved");
            reader.close();
            final CompletionEvent[] events = CompletionEvent.newArray(8);
            assertEquals(4, ring.pollEvents(8, events), "only the four accepted reads complete");
            for (int k = 0; k < 4; k++) {
                assertTrue(events[k].userData() < 4);
                assertEquals(-125, events[k].result());
            }
            file.close();
            pipe.close();
        }
    }

    @Test
    void tryReadWithAFreeSlotQueuesTheRead() throws Exception {
        final Path path = TestFiles.patternFile(dir, "pattern", 1 << 16);
        try (CompletionRing ring = CompletionRing.create(4);
             UringReader reader = UringReader.open(ring, 2);
             UringFile file = reader.openFile(path)) {
            final ByteBuffer dst = ByteBuffer.allocateDirect(4096);
            assertTrue(reader.tryRead(file, 8192, dst, 5));
            final CompletionEvent[] events = CompletionEvent.newArray(1);
            assertEquals(1, ring.getEvents(1, 1, events));
            assertEquals(5, events[0].userData());
            assertEquals(4096, events[0].result());
            TestFiles.checkBytes(dst, 0, 8192, 4096);
        }
    }
}
