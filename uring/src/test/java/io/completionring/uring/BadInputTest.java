package io.completionring.uring;

import io.completionring.CompletionRing;
import io.completionring.RingClosedException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bad input is rejected before a ring slot is reserved ({@code ring.inFlight()} unchanged, nothing completes),
 * with the exception the issue names and a message naming the argument. Each read check runs for read and tryRead.
 */
@Timeout(30)
class BadInputTest {

    @TempDir
    Path dir;
    Path path;
    CompletionRing ring;
    UringReader reader;
    UringFile file;
    final ByteBuffer dst = ByteBuffer.allocateDirect(4096);

    @BeforeEach
    void open() throws IOException {
        path = TestFiles.patternFile(dir, "pattern", 1 << 16);
        ring = CompletionRing.create(16);
        reader = UringReader.open(ring, 4);
        file = reader.openFile(path);
    }

    @AfterEach
    void close() throws IOException {
        reader.close();
        file.close();
        ring.close();
    }

    interface ReadCall {
        void call(UringReader reader, UringFile file, long position, ByteBuffer dst) throws Exception;
    }

    static final ReadCall READ = (r, f, p, d) -> r.read(f, p, d, 1);
    static final ReadCall TRY_READ = (r, f, p, d) -> r.tryRead(f, p, d, 1);

    /** Both read and tryRead throw type with a message containing words, and nothing is reserved. */
    <T extends Throwable> void assertRejected(Class<T> type, UringFile file, long position, ByteBuffer dst,
                                              String words) {
        for (ReadCall call : new ReadCall[] {READ, TRY_READ}) {
            final int inFlight = ring.inFlight();
            final T e = assertThrows(type, () -> call.call(reader, file, position, dst));
            assertTrue(e.getMessage() != null && e.getMessage().contains(words), e.getMessage());
            assertEquals(inFlight, ring.inFlight(), "nothing reserved");
            assertEquals(0, ring.ready(), "nothing completed");
        }
    }

    @Test
    void nullFile() {
        assertRejected(NullPointerException.class, null, 0, dst, "file");
    }

    @Test
    void nullBuffer() {
        assertRejected(NullPointerException.class, file, 0, null, "dst");
    }

    @Test
    void heapBuffer() {
        assertRejected(IllegalArgumentException.class, file, 0, ByteBuffer.allocate(16), "dst must be a direct");
    }

    @Test
    void readOnlyBuffer() {
        assertRejected(IllegalArgumentException.class, file, 0, dst.asReadOnlyBuffer(), "dst must be writable");
    }

    @Test
    void negativePosition() {
        assertRejected(IllegalArgumentException.class, file, -1, dst, "position must be >= 0, was -1");
    }

    @Test
    void fileOfAnotherReader() throws IOException {
        try (CompletionRing otherRing = CompletionRing.create(4);
             UringReader other = UringReader.open(otherRing, 1);
             UringFile foreign = other.openFile(path)) {
            assertRejected(IllegalArgumentException.class, foreign, 0, dst, "opened by another reader");
        }
    }

    @Test
    void closedFile() throws IOException {
        final UringFile closed = reader.openFile(path);
        closed.close();
        assertRejected(IllegalArgumentException.class, closed, 0, dst, "is closed");
    }

    @Test
    void closedReader() throws IOException {
        reader.close();
        assertRejected(IllegalStateException.class, file, 0, dst, "reader is closed");
        assertThrows(IllegalStateException.class, () -> reader.openFile(path));
    }

    @Test
    void closedRing() {
        ring.close();
        assertRejected(RingClosedException.class, file, 0, dst, "closed");
    }

    @Test
    void queueDepthOutOfRange() {
        for (int depth : new int[] {0, -1, UringReader.MAX_QUEUE_DEPTH + 1}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> UringReader.open(ring, depth));
            assertTrue(e.getMessage().contains("queueDepth") && e.getMessage().contains(String.valueOf(depth)),
                    e.getMessage());
        }
    }

    @Test
    void nullRing() {
        final NullPointerException e = assertThrows(NullPointerException.class, () -> UringReader.open(null, 1));
        assertTrue(e.getMessage().contains("ring"), e.getMessage());
    }

    @Test
    void nullPath() {
        assertMessage(NullPointerException.class, () -> reader.openFile(null), "path");
        assertMessage(NullPointerException.class, () -> reader.openFile(null, true), "path");
    }

    @Test
    void pathOfAnotherFileSystem() throws IOException {
        final Path zip = dir.resolve("archive.zip");
        try (FileSystem zipFs = FileSystems.newFileSystem(URI.create("jar:" + zip.toUri()), Map.of("create",
                "true"))) {
            assertMessage(IllegalArgumentException.class, () -> reader.openFile(zipFs.getPath("/entry")),
                    "default file system");
        }
    }

    static void assertMessage(Class<? extends Throwable> type, Executable call, String words) {
        final Throwable e = assertThrows(type, call);
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }
}
