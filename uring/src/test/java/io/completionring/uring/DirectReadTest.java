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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Direct I/O: the alignment, the descriptor's O_DIRECT, reads that return the file's bytes, and each misalignment
 * rejected before a ring slot is reserved, its message saying which.
 */
@Timeout(30)
class DirectReadTest {

    static final long SIZE = 4 << 20;

    @TempDir
    Path dir;
    Path path;
    CompletionRing ring;
    UringReader reader;
    UringFile file;
    int alignment;

    @BeforeEach
    void open() throws IOException {
        path = TestFiles.patternFile(dir, "pattern", SIZE);
        ring = CompletionRing.create(64);
        reader = UringReader.open(ring, 16);
        file = reader.openFile(path, true);
        alignment = file.alignment();
    }

    @AfterEach
    void close() throws IOException {
        reader.close();
        file.close();
        ring.close();
    }

    /** A direct buffer of n bytes whose address is a multiple of the alignment. */
    ByteBuffer aligned(int n) {
        return ByteBuffer.allocateDirect(n + alignment).alignedSlice(alignment).limit(n);
    }

    @Test
    void alignmentIsTheLogicalBlockSizeOfTheDevice() throws IOException {
        final long dev = (Long) Files.getAttribute(path, "unix:dev");
        // glibc's major()/minor() of a dev_t
        final int major = (int) (((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL));
        final int minor = (int) (((dev >>> 12) & 0xffffff00L) | (dev & 0xffL));
        assertEquals(UringReader.logicalBlockSize(major, minor), alignment, "device " + major + ":" + minor);
        assertEquals(1, Integer.bitCount(alignment), "a power of two");
    }

    @Test
    void theDescriptorHasODirect() throws IOException {
        assertNotEquals(0, TestFiles.descriptorFlags(file.fd()) & Uapi.O_DIRECT, "O_DIRECT in /proc/self/fdinfo");
        try (UringFile buffered = reader.openFile(path)) {
            assertEquals(0, TestFiles.descriptorFlags(buffered.fd()) & Uapi.O_DIRECT, "buffered: no O_DIRECT");
        }
    }

    @Test
    void directReadsReturnTheFilesBytes() throws InterruptedException {
        final SplittableRandom random = new SplittableRandom(7);
        final CompletionEvent[] events = CompletionEvent.newArray(1);
        for (int i = 0; i < 200; i++) {
            final int blocks = 1 + random.nextInt(16);
            final long position = (long) alignment * random.nextInt((int) (SIZE / alignment));
            final ByteBuffer dst = aligned(blocks * alignment);
            reader.read(file, position, dst, i);
            assertEquals(1, ring.getEvents(1, 1, events));
            assertEquals(i, events[0].userData());
            final long expected = Math.min(dst.remaining(), SIZE - position);
            assertEquals(expected, events[0].result(), "read " + i + " at " + position);
            TestFiles.checkBytes(dst, 0, position, (int) expected);
        }
    }

    @Test
    void misalignedPositionIsRejectedBeforeASlotIsReserved() {
        assertRejected(alignment / 2, aligned(alignment), "position");
        assertRejected(alignment + 1, aligned(alignment), "position");
    }

    @Test
    void misalignedLengthIsRejectedBeforeASlotIsReserved() {
        assertRejected(0, aligned(alignment).limit(alignment - 1), "length");
        assertRejected(0, aligned(2 * alignment).limit(alignment + 8), "length");
    }

    @Test
    void misalignedAddressIsRejectedBeforeASlotIsReserved() {
        final ByteBuffer shifted = aligned(2 * alignment).position(8).limit(8 + alignment);
        assertRejected(0, shifted, "address");
    }

    void assertRejected(long position, ByteBuffer dst, String argument) {
        final int inFlight = ring.inFlight();
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reader.read(file, position, dst, 1));
        assertTrue(e.getMessage().startsWith(argument + " "), e.getMessage());
        final IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
                () -> reader.tryRead(file, position, dst, 1));
        assertTrue(t.getMessage().startsWith(argument + " "), t.getMessage());
        assertEquals(inFlight, ring.inFlight(), "nothing reserved");
        assertEquals(0, ring.ready(), "nothing completed");
    }

    @Test
    void aFileSystemThatRefusesDirectIoMakesOpenFileThrowNamingThePathAndTheErrno() {
        final Path proc = Path.of("/proc/self/status");     // procfs has no direct I/O: open(O_DIRECT) is EINVAL
        final IOException e = assertThrows(IOException.class, () -> reader.openFile(proc, true));
        assertTrue(e.getMessage().contains(proc.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
    }
}
