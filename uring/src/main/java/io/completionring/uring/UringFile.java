package io.completionring.uring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A file opened for reading by a {@link UringReader} ({@link UringReader#openFile(Path, boolean)}): read-only,
 * through the page cache or, if opened direct, with {@code O_DIRECT}. Reads go through {@link UringReader#read}.
 *
 * <p>Closing a file lets the reads already accepted for it finish: its descriptor is closed after the last of them
 * has completed (closing it at once would let a file opened meanwhile take the descriptor's number, and hand that
 * file's bytes to the old reads). Reads started after {@code close()} are rejected.
 *
 * <p>Thread-safe: any thread may read from, size or close a file.
 */
public final class UringFile implements AutoCloseable {

    /*
     * Implementation overview. `state` = CLOSED (bit 63) | the number of holders of the descriptor: reads accepted
     * and not yet completed, and size() calls running. acquire() adds a holder unless CLOSED is set (CAS);
     * release() removes one, and the release that leaves exactly CLOSED (closed, no holder) closes the
     * descriptor; close() sets CLOSED, and closes the descriptor itself if there was no holder. So the descriptor is
     * closed exactly once, after its last use, whichever thread comes last: the driver completing a read, a
     * submitter whose read was not accepted, or close().
     */

    private static final long CLOSED = Long.MIN_VALUE;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(UringFile.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final UringReader reader;
    private final Path path;
    private final int fd;
    private final boolean direct;
    private final int alignment;
    @SuppressWarnings("unused")                             // accessed through STATE
    private volatile long state;

    UringFile(UringReader reader, Path path, int fd, boolean direct, int alignment) {
        this.reader = reader;
        this.path = path;
        this.fd = fd;
        this.direct = direct;
        this.alignment = alignment;
    }

    /**
     * Returns the file's size in bytes now (statx {@code stx_size}).
     *
     * @return the size in bytes
     * @throws IOException if the file is closed, or statx fails
     */
    public long size() throws IOException {
        if (!acquire()) {
            throw new IOException("file is closed: " + path);
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment errno = Native.newErrnoSegment(arena);
            final MemorySegment statx = arena.allocate(Uapi.STATX);
            if (Native.fstatx(errno, fd, Uapi.STATX_SIZE, statx, arena.allocateFrom("")) < 0) {
                throw Native.ioException("statx(" + path + ")", Native.errno(errno));
            }
            return statx.get(JAVA_LONG, Uapi.offset(Uapi.STATX, "stx_size"));
        } finally {
            release();
        }
    }

    /**
     * Returns what the position, the length and the buffer address of a read must be multiples of: 1 for a file
     * read through the page cache; for a direct file, the larger of the memory and file-offset alignments that
     * {@code statx(STATX_DIOALIGN)} reports (the device's logical block size on common file systems), or, where the
     * kernel predates STATX_DIOALIGN (Linux 6.1), the logical block size of the device holding the file.
     *
     * @return the alignment in bytes, a power of two
     */
    public int alignment() {
        return alignment;
    }

    /** Returns whether the file was opened with {@code O_DIRECT}. */
    boolean isDirect() {
        return direct;
    }

    /**
     * Closes the file: reads started afterwards are rejected; the descriptor is closed once the reads accepted
     * before have completed, at once if there are none. Idempotent.
     *
     * @throws IOException if the descriptor was closed here, at once, and close(2) failed
     */
    @Override
    public void close() throws IOException {
        final long s = (long) STATE.getAndBitwiseOr(this, CLOSED);
        if (s == 0) {                                       // open and no holder: this call closes the descriptor
            closeDescriptor();
        }
    }

    /** Adds a holder of the descriptor: false if the file is closed. */
    boolean acquire() {
        for (;;) {
            final long s = (long) STATE.getVolatile(this);
            if (s < 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s + 1)) {
                return true;
            }
        }
    }

    /** Removes a holder; the last holder of a closed file closes the descriptor. Never throws. */
    void release() {
        if ((long) STATE.getAndAdd(this, -1L) - 1 == CLOSED) {
            try {
                closeDescriptor();
            } catch (IOException e) {
                // Nobody to report it to: the reads completed; a failed close(2) of a read-only file loses nothing.
            }
        }
    }

    boolean isClosed() {
        return (long) STATE.getVolatile(this) < 0;
    }

    private void closeDescriptor() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment errno = Native.newErrnoSegment(arena);
            if (Native.close(errno, fd) < 0) {
                throw Native.ioException("close(" + path + ")", Native.errno(errno));
            }
        }
    }

    UringReader reader() {
        return reader;
    }

    int fd() {
        return fd;
    }

    Path path() {
        return path;
    }

    @Override
    public String toString() {
        return "UringFile[" + path + (direct ? ", direct, alignment " + alignment : "") + (isClosed() ? ", closed"
                : "") + "]";
    }
}
