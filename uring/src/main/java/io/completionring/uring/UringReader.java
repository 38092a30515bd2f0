package io.completionring.uring;

import io.completionring.CompletionRing;
import io.completionring.RingClosedException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Reads files with Linux's io_uring and completes each read into a {@link CompletionRing}: the kernel's completion
 * becomes a ring event whose {@code userData} is the read's and whose {@code result} is the number of bytes read (0
 * at the end of the file) or {@code -errno}. No native library: the reader calls the kernel through the FFM API.
 *
 * <pre>{@code
 * // java --enable-native-access=io.completionring.uring ...   (ALL-UNNAMED on the class path)
 * try (CompletionRing ring = CompletionRing.create(256);
 *      UringReader reader = UringReader.open(ring, 64);
 *      UringFile file = reader.openFile(path)) {
 *     ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
 *     reader.read(file, 0, buffer, 42);                // reserves a ring slot, queues the read
 *     CompletionEvent[] events = CompletionEvent.newArray(1);
 *     ring.getEvents(1, 1, events);                    // userData 42, result: bytes read or -errno
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * {@link #open} starts one driver thread (a daemon, named {@code uring-driver-N}) that owns the io_uring, submits
 * the reads in batches and is a producer of the ring: it calls {@code complete}/{@code completeAll}. With a
 * single-producer ring nothing else may complete into it; build the ring with {@code multiProducer(true)} to share
 * it with other producers. {@code read}, {@code tryRead}, {@code openFile} and {@code close} may be called from any
 * thread. At most {@code queueDepth} reads are in the kernel at once; further accepted reads wait in the reader, in
 * order, and go to the kernel as earlier ones complete. The driver blocks in {@code io_uring_enter} while reads are
 * in the kernel and parks while there are none; a new read wakes it in either state.
 *
 * <h2>Guarantees</h2>
 * Every accepted read completes exactly once, with its bytes or a negative errno, also when its file or the reader
 * is closed meanwhile. The reader keeps each buffer reachable until its read has completed. Bytes land in {@code
 * dst} at {@code [position(), position() + result)}; the buffer's position and limit are not changed. The buffer's
 * memory must stay valid until then: a buffer that wraps a segment of an {@code Arena} must not have its arena
 * closed while a read into it is in flight.
 *
 * <p>Memory consistency effects: actions in a thread prior to a {@code read} or {@code tryRead} that accepts a read
 * <i>happen-before</i> the kernel's execution of that read, and the kernel's stores into {@code dst} happen-before
 * actions subsequent to the return of the {@code getEvents} or {@code pollEvents} call that returns its completion.
 *
 * <h2>Support</h2>
 * {@link #isSupported()} is true on Linux (x86-64 or arm64) with native access enabled for this module and an
 * {@code io_uring_setup} that the kernel allows (Linux 5.6 or newer: {@code IORING_OP_READ}). The module needs JDK
 * 22 or newer (the FFM API); on an older JDK its classes do not load. Without native access the reader never calls a
 * restricted method, so a program that did not opt in sees no warning.
 */
public final class UringReader implements AutoCloseable {

    /*
     * Implementation overview. A read is validated (nothing reserved yet), then enters the reader's window (the
     * driver's `active` count, refused once close has begun: IllegalStateException), acquires its file (refused if
     * the file is closed: IllegalArgumentException), reserves its ring slot (trySubmit; read waits in
     * ring.submit() if none is free) and is queued for the driver (Driver.enqueue). It leaves the window after
     * queueing, or after failing, releasing the file then. close() closes the window, interrupts the reads waiting
     * for a ring slot (each throws IllegalStateException, having reserved nothing) and waits for the driver, which
     * ends after every read accepted before has completed and the window is empty. The driver's own overview
     * (Driver) says how reads reach the kernel and come back.
     */

    /** The largest queue depth: reads in the kernel at once. */
    public static final int MAX_QUEUE_DEPTH = 4096;

    private final CompletionRing ring;
    private final Driver driver;
    /** Guards slotWaiters: reads waiting in ring.submit(), which close() interrupts. */
    private final ReentrantLock waitersLock = new ReentrantLock();
    private final List<SlotWaiter> slotWaiters = new ArrayList<>();

    private UringReader(CompletionRing ring, int queueDepth, Options options) throws IOException {
        this.ring = ring;
        this.driver = Driver.start(ring, queueDepth, options);
    }

    /**
     * Returns whether readers can be opened here: Linux on x86-64 or arm64, native access enabled for this module
     * ({@code --enable-native-access=io.completionring.uring}, or {@code ALL-UNNAMED} on the class path), and an
     * {@code io_uring_setup} that the kernel allows. Checked once.
     *
     * @return whether {@link #open} can succeed
     */
    public static boolean isSupported() {
        return Support.reason().isEmpty();
    }

    /**
     * Returns why readers cannot be opened here, in one sentence that names the failed check and the fix (for
     * example the exact {@code --enable-native-access} flag), or the empty string when they can.
     *
     * @return the reason, or "" when supported
     */
    public static String unsupportedReason() {
        return Support.reason();
    }

    /**
     * Opens a reader that completes its reads into {@code ring}, and starts its driver thread.
     *
     * @param ring       the ring the reads complete into; it stays open when the reader is closed
     * @param queueDepth the most reads in the kernel at once, 1 to {@value #MAX_QUEUE_DEPTH}
     * @return the reader
     * @throws NullPointerException          if ring is null
     * @throws IllegalArgumentException      if queueDepth is out of range
     * @throws UnsupportedOperationException if {@link #isSupported()} is false; the message is {@link
     *                                       #unsupportedReason()}
     * @throws IOException                   if the kernel refuses the io_uring (io_uring_setup or mmap fails)
     */
    public static UringReader open(CompletionRing ring, int queueDepth) throws IOException {
        return open(ring, queueDepth, Options.DEFAULT);
    }

    static UringReader open(CompletionRing ring, int queueDepth, Options options) throws IOException {
        Objects.requireNonNull(ring, "ring");
        if (queueDepth < 1 || queueDepth > MAX_QUEUE_DEPTH) {
            throw new IllegalArgumentException("queueDepth must be between 1 and " + MAX_QUEUE_DEPTH + ", was "
                    + queueDepth);
        }
        final String reason = Support.reason();
        if (!reason.isEmpty()) {
            throw new UnsupportedOperationException(reason);
        }
        return new UringReader(ring, queueDepth, options);
    }

    /**
     * Opens a file for reading through the page cache; the same as {@code openFile(path, false)}.
     *
     * @param path the file
     * @return the open file
     * @throws IOException if the file cannot be opened (the message names the path and the errno)
     */
    public UringFile openFile(Path path) throws IOException {
        return openFile(path, false);
    }

    /**
     * Opens a file for reading, read-only: through the page cache, or with {@code O_DIRECT} if {@code direct}, which
     * bypasses the page cache and requires aligned reads ({@link UringFile#alignment()}).
     *
     * @param path   the file, of the default file system
     * @param direct whether to open it with {@code O_DIRECT}
     * @return the open file
     * @throws NullPointerException     if path is null
     * @throws IllegalArgumentException if path is not of the default file system
     * @throws IllegalStateException    if the reader is closed
     * @throws IOException              if the file cannot be opened, or, if direct, its file system refuses direct
     *                                  I/O; the message names the path and the errno
     */
    public UringFile openFile(Path path, boolean direct) throws IOException {
        Objects.requireNonNull(path, "path");
        if (path.getFileSystem() != FileSystems.getDefault()) {
            throw new IllegalArgumentException("path must be of the default file system, was " + path.toUri());
        }
        if (driver.isShutdown()) {
            throw closed();
        }
        final String name = path.toString();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment errno = Native.newErrnoSegment(arena);
            final int flags = Uapi.O_RDONLY | Uapi.O_CLOEXEC | (direct ? Uapi.O_DIRECT : 0);
            final int fd = Native.open(errno, arena.allocateFrom(name, pathCharset()), flags);
            if (fd < 0) {
                final int e = Native.errno(errno);
                final String call = "open(" + name + (direct ? ", O_DIRECT)" : ")");
                if (e == 2) {
                    throw new NoSuchFileException(name, null, call + " failed: " + Native.errnoName(e));
                }
                throw Native.ioException(call, e);
            }
            final int alignment;
            try {
                alignment = direct ? directAlignment(arena, errno, fd, name) : 1;
            } catch (IOException | RuntimeException e) {
                Native.close(errno, fd);
                throw e;
            }
            return new UringFile(this, path, fd, direct, alignment);
        }
    }

    /**
     * The alignment of direct reads of the open file fd: statx(STATX_DIOALIGN), the larger of its memory and offset
     * alignments (one alignment for position, length and address); where the kernel predates STATX_DIOALIGN, the
     * logical block size of the device holding the file.
     */
    private static int directAlignment(Arena arena, MemorySegment errno, int fd, String name) throws IOException {
        final MemorySegment statx = arena.allocate(Uapi.STATX);
        if (Native.fstatx(errno, fd, Uapi.STATX_DIOALIGN, statx, arena.allocateFrom("")) < 0) {
            throw Native.ioException("statx(" + name + ")", Native.errno(errno));
        }
        final int mask = statx.get(JAVA_INT, Uapi.offset(Uapi.STATX, "stx_mask"));
        if ((mask & Uapi.STATX_DIOALIGN) != 0) {
            final int memory = statx.get(JAVA_INT, Uapi.offset(Uapi.STATX, "stx_dio_mem_align"));
            final int offset = statx.get(JAVA_INT, Uapi.offset(Uapi.STATX, "stx_dio_offset_align"));
            if (offset == 0) {
                throw new IOException("open(" + name + ", O_DIRECT): the file system does not support direct I/O"
                        + " for this file (statx reports no direct I/O alignment): "
                        + Native.errnoName(Uapi.EINVAL));
            }
            return Math.max(memory, offset);
        }
        final int major = statx.get(JAVA_INT, Uapi.offset(Uapi.STATX, "stx_dev_major"));
        final int minor = statx.get(JAVA_INT, Uapi.offset(Uapi.STATX, "stx_dev_minor"));
        return logicalBlockSize(major, minor);
    }

    /**
     * The logical block size of block device major:minor from sysfs (a partition's is its disk's). Where sysfs does
     * not say (a file system without a block device), 4096: the largest logical block size of common devices, and a
     * multiple of the others (512), so reads aligned to it are aligned for any of them.
     */
    static int logicalBlockSize(int major, int minor) {
        final Path device = Path.of("/sys/dev/block/" + major + ":" + minor);
        for (Path queue : new Path[] {device.resolve("queue"), device.resolve("../queue")}) {
            try {
                return Integer.parseInt(Files.readString(queue.resolve("logical_block_size")).trim());
            } catch (IOException | NumberFormatException e) {
                // not this one: a partition has its disk's queue one level up; no device at all: the fallback
            }
        }
        return 4096;
    }

    /** File names are bytes on Linux: encoded as the JDK encodes them (sun.jnu.encoding), as java.io would. */
    private static Charset pathCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /**
     * Reads {@code dst.remaining()} bytes of {@code file} at {@code position} into {@code dst}, completing into the
     * ring with {@code userData}: reserves the read's ring slot first, waiting while the ring is full, then queues
     * the read and returns. The completion's result is the number of bytes read (fewer near the end of the file, 0
     * at or past it) or {@code -errno} ({@code -ECANCELED} if {@link #close()} cancelled the read).
     *
     * @param file     a file opened by this reader and not closed
     * @param position the offset in the file, at least 0 (a multiple of {@code file.alignment()} if direct)
     * @param dst      a direct, writable buffer; the bytes land at {@code [position(), position() + result)}, and
     *                 its position and limit are not changed (for a direct file, its address at {@code position()}
     *                 and its {@code remaining()} must be multiples of {@code file.alignment()})
     * @param userData what the completion event carries as its {@code userData}
     * @throws NullPointerException     if file or dst is null
     * @throws IllegalArgumentException if dst is a heap or read-only buffer, position is negative, a direct read
     *                                  is misaligned (the message says which: position, length or address), or
     *                                  file was opened by another reader or is closed
     * @throws IllegalStateException    if the reader is closed, or is closed while this call waits for a ring slot
     *                                  (nothing is reserved)
     * @throws RingClosedException      if the ring is closed (nothing is reserved)
     * @throws InterruptedException     if interrupted while waiting for a ring slot (nothing is reserved)
     */
    public void read(UringFile file, long position, ByteBuffer dst, long userData) throws InterruptedException {
        final long address = validate(file, position, dst);
        admit(file);
        boolean queued = false;
        try {
            if (!ring.trySubmit()) {
                awaitSlot();
            }
            driver.enqueue(file, dst, position, address, dst.remaining(), userData);
            queued = true;
        } finally {
            if (!queued) {
                file.release();
            }
            driver.leave();
        }
    }

    /**
     * Like {@link #read}, but returns false at once, queueing nothing, if the ring has no free slot.
     *
     * @param file     a file opened by this reader and not closed
     * @param position the offset in the file, at least 0 (a multiple of {@code file.alignment()} if direct)
     * @param dst      a direct, writable buffer, as for {@link #read}
     * @param userData what the completion event carries as its {@code userData}
     * @return true if the read was queued, false if the ring was full
     * @throws NullPointerException     if file or dst is null
     * @throws IllegalArgumentException as for {@link #read}
     * @throws IllegalStateException    if the reader is closed
     * @throws RingClosedException      if the ring is closed
     */
    public boolean tryRead(UringFile file, long position, ByteBuffer dst, long userData) {
        final long address = validate(file, position, dst);
        admit(file);
        boolean queued = false;
        try {
            if (!ring.trySubmit()) {
                return false;
            }
            driver.enqueue(file, dst, position, address, dst.remaining(), userData);
            queued = true;
            return true;
        } finally {
            if (!queued) {
                file.release();
            }
            driver.leave();
        }
    }

    /** Checks the arguments of a read, before anything is reserved; returns dst's address at its position. */
    private long validate(UringFile file, long position, ByteBuffer dst) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(dst, "dst");
        if (file.reader() != this) {
            throw new IllegalArgumentException("file " + file + " was opened by another reader");
        }
        if (!dst.isDirect()) {
            throw new IllegalArgumentException("dst must be a direct buffer, was a heap buffer");
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst must be writable, was read-only");
        }
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        final long address = MemorySegment.ofBuffer(dst).address();
        if (file.isDirect()) {
            final int alignment = file.alignment();
            if (position % alignment != 0) {
                throw new IllegalArgumentException("position " + position + " is not a multiple of the direct file's"
                        + " alignment " + alignment);
            }
            if (dst.remaining() % alignment != 0) {
                throw new IllegalArgumentException("length " + dst.remaining() + " (dst.remaining()) is not a"
                        + " multiple of the direct file's alignment " + alignment);
            }
            if (address % alignment != 0) {
                throw new IllegalArgumentException("address 0x" + Long.toHexString(address) + " (dst at its"
                        + " position) is not a multiple of the direct file's alignment " + alignment);
            }
        }
        return address;
    }

    /** Enters the window and acquires the file, or throws having changed nothing. */
    private void admit(UringFile file) {
        if (!driver.tryEnter()) {
            throw closed();
        }
        if (!file.acquire()) {
            driver.leave();
            throw new IllegalArgumentException("file " + file + " is closed");
        }
    }

    /** Waits in ring.submit() for a slot; close() interrupts the wait, which then throws IllegalStateException. */
    private void awaitSlot() throws InterruptedException {
        final SlotWaiter waiter = new SlotWaiter(Thread.currentThread());
        waitersLock.lock();
        try {
            if (driver.isShutdown()) {                      // close() set it before it took this lock to interrupt
                throw closedWhileWaiting();
            }
            slotWaiters.add(waiter);
        } finally {
            waitersLock.unlock();
        }
        try {
            ring.submit();
        } catch (InterruptedException e) {
            if (waiter.interruptedByClose) {
                throw closedWhileWaiting();
            }
            throw e;
        } finally {
            waitersLock.lock();
            try {
                slotWaiters.remove(waiter);
                if (waiter.interruptedByClose) {
                    // Our interrupt landed after ring.submit() took a slot (the read is accepted, and completes
                    // with -ECANCELED), or was consumed by the exception above: the caller must not see it.
                    Thread.interrupted();
                }
            } finally {
                waitersLock.unlock();
            }
        }
    }

    /** The exception of a read on a closed reader, naming the driver's failure if that closed it. */
    private IllegalStateException closed() {
        final Throwable failure = driver.failure();
        return failure == null ? new IllegalStateException("reader is closed")
                : new IllegalStateException("reader is closed: its driver failed with " + failure, failure);
    }

    private static IllegalStateException closedWhileWaiting() {
        return new IllegalStateException("reader closed while the read waited for a ring slot (nothing reserved)");
    }

    /**
     * Closes the reader; idempotent. It stops accepting reads (reads waiting for a ring slot throw {@link
     * IllegalStateException}, reserving nothing), asks the kernel to cancel the reads it has not finished (a read
     * that cannot be cancelled runs to its end), waits until every accepted read has completed into the ring
     * exactly once, with its bytes or {@code -ECANCELED}, and then releases the kernel resources. The ring stays
     * open, and so do the reader's files (close them too). Waits uninterruptibly; an interrupt is kept.
     */
    @Override
    public void close() {
        if (driver.shutdown()) {
            waitersLock.lock();
            try {
                for (SlotWaiter waiter : slotWaiters) {
                    waiter.interruptedByClose = true;
                    waiter.thread.interrupt();
                }
            } finally {
                waitersLock.unlock();
            }
        }
        driver.awaitTermination();
    }

    /** The driver, for tests and benchmarks in this package. */
    Driver driver() {
        return driver;
    }

    @Override
    public String toString() {
        return "UringReader[" + driver.thread().getName() + (driver.isShutdown() ? ", closed" : "") + "]";
    }

    /** A read waiting in ring.submit(); close() sets interruptedByClose (under waitersLock) before it interrupts. */
    private static final class SlotWaiter {
        final Thread thread;
        volatile boolean interruptedByClose;

        SlotWaiter(Thread thread) {
            this.thread = thread;
        }
    }
}
