package io.completionring.uring;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract of one read: where its bytes land, its result at and near the end of the file, and -errno. */
@Timeout(30)
class ReadTest {

    static final long SIZE = 1 << 20;

    @TempDir
    Path dir;
    Path path;
    CompletionRing ring;
    UringReader reader;
    UringFile file;
    final CompletionEvent[] events = CompletionEvent.newArray(8);

    @BeforeEach
    void open() throws IOException {
        path = TestFiles.patternFile(dir, "pattern", SIZE);
        ring = CompletionRing.create(64);
        reader = UringReader.open(ring, 8);
        file = reader.openFile(path);
    }

    @AfterEach
    void close() throws IOException {
        reader.close();
        file.close();
        ring.close();
    }

    /** Reads and returns the one completion. */
    CompletionEvent readOne(long position, ByteBuffer dst, long userData) throws InterruptedException {
        reader.read(file, position, dst, userData);
        assertEquals(1, ring.getEvents(1, events.length, events));
        return events[0];
    }

    @Test
    void bytesLandAtThePositionOfDstAndItsPositionAndLimitDoNotMove() throws InterruptedException {
        final ByteBuffer dst = ByteBuffer.allocateDirect(1000).position(100).limit(900);
        final CompletionEvent e = readOne(12345, dst, 77);
        assertEquals(77, e.userData());
        assertEquals(800, e.result());
        assertEquals(100, dst.position());
        assertEquals(900, dst.limit());
        TestFiles.checkBytes(dst, 100, 12345, 800);
        final ByteBuffer whole = dst.duplicate().clear();
        for (int i = 0; i < 100; i++) {
            assertEquals(0, whole.get(i), "byte before position() written");
            assertEquals(0, whole.get(900 + i), "byte at or after limit() written");
        }
    }

    @Test
    void readNearTheEndIsShortAndAtOrPastTheEndReturnsZero() throws InterruptedException {
        final ByteBuffer dst = ByteBuffer.allocateDirect(4096);
        assertEquals(100, readOne(SIZE - 100, dst, 1).result());
        TestFiles.checkBytes(dst, 0, SIZE - 100, 100);
        assertEquals(0, readOne(SIZE, dst, 2).result());
        assertEquals(0, readOne(SIZE + 1_000_000, dst, 3).result());
    }

    @Test
    void zeroLengthReadCompletesWithZero() throws InterruptedException {
        assertEquals(0, readOne(0, ByteBuffer.allocateDirect(16).limit(0), 4).result());
    }

    @Test
    void failedReadCompletesWithMinusErrno() throws IOException, InterruptedException {
        try (UringFile directory = reader.openFile(dir)) {
            reader.read(directory, 0, ByteBuffer.allocateDirect(16), 5);
            assertEquals(1, ring.getEvents(1, 1, events));
            assertEquals(-21, events[0].result(), "EISDIR");
        }
    }

    @Test
    void openingAMissingFileThrowsNamingThePathAndTheErrno() {
        final Path missing = dir.resolve("missing");
        final NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> reader.openFile(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
    }

    @Test
    void sizeIsTheFileSizeAndThrowsOnceTheFileIsClosed() throws IOException {
        assertEquals(SIZE, file.size());
        final UringFile other = reader.openFile(path);
        other.close();
        assertThrows(IOException.class, other::size);
    }

    @Test
    void bufferedFileHasAlignmentOne() {
        assertEquals(1, file.alignment());
    }

    @Test
    void readsFromSeveralFilesCompleteWithTheirOwnBytes() throws IOException, InterruptedException {
        final Path second = TestFiles.patternFile(dir, "second", 8192, 1 << 24);     // other bytes than the first
        try (UringFile other = reader.openFile(second)) {
            final ByteBuffer a = ByteBuffer.allocateDirect(4096);
            final ByteBuffer b = ByteBuffer.allocateDirect(4096);
            reader.read(file, 4096, a, 1);
            reader.read(other, 4096, b, 2);
            for (int got = 0; got < 2; got++) {
                assertEquals(1, ring.getEvents(1, 1, events));
                assertEquals(4096, events[0].result());
            }
            TestFiles.checkBytes(a, 0, 4096, 4096);
            TestFiles.checkBytes(b, 0, (1 << 24) + 4096, 4096);
        }
    }
}
