package io.completionring.uring;

import io.completionring.CompletionRing;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The driver thread of a {@link UringReader}: it owns the io_uring, takes the reads that submitters queue, writes
 * their SQEs, submits them, reaps the CQEs and completes each read into the completion ring.
 */
final class Driver implements Runnable {

    /*
     * Implementation overview
     *
     * Threads. Submitters (any threads calling read/tryRead) queue reads under `lock`; the driver (one platform
     * thread, the ring's only issuer, so IORING_SETUP_SINGLE_ISSUER holds) takes them, and is the only thread that
     * touches the io_uring: the SQ, the SQEs, the CQ and io_uring_enter. It is also the reader's producer of the
     * completion ring.
     *
     *   submitters --lock--> queue --driver--> SQEs --io_uring_enter--> kernel --CQEs--> driver --completeAll--> ring
     *
     * State. A read is, in turn: queued (in the queue arrays, under lock), in the kernel (in slot s of the in-flight
     * table, s < queueDepth, its SQE's user_data = s), and completed (complete(userData, res), slot freed). Each
     * accepted read holds a ring slot that `read` reserved, so complete never finds the ring full. The table and
     * the queue hold the read's file and buffer: the buffer stays reachable, and the file's descriptor open (its
     * count, UringFile), until the CQE is reaped.
     *
     * The driver's loop, one io_uring_enter per turn:
     *   1. under lock: take queued reads into free slots and write their SQEs; decide whether to sleep, and publish
     *      the decision in `sleep` (PARKED or IN_KERNEL) while the queue is seen empty;
     *   2. PARKED (nothing in the kernel): LockSupport.park until a submitter or close sets AWAKE and unparks;
     *   3. IN_KERNEL (reads in the kernel, none to submit): make sure the wake read is armed, then
     *      io_uring_enter(GETEVENTS, min_complete = 1); else io_uring_enter(to_submit, 0, GETEVENTS);
     *   4. reap the CQEs (CQ tail getAcquire, fields, CQ head setRelease) and complete the reads with one
     *      completeAll.
     *
     * Waking a driver blocked in io_uring_enter. The ring itself holds one read of an eventfd (user_data WAKE),
     * armed before the driver blocks; a submitter that finds `sleep == IN_KERNEL` under the lock sets AWAKE and
     * writes 1 to the eventfd, which completes that read: the CQE ends the driver's wait. Alternatives: an eventfd
     * registered with IORING_REGISTER_EVENTFD signals the other way (kernel to user); a NOP or MSG_RING needs the
     * submitter to own a ring or to enter this one (which SINGLE_ISSUER forbids). The read in the ring keeps one
     * place to wait for both kinds of event, costs the submitter one write(2) only when the driver sleeps, and at
     * most one per sleep (the first submitter sets AWAKE). The lock orders the two sides: the driver publishes
     * IN_KERNEL only after it saw the queue empty under the lock, a submitter queues under the lock and then reads
     * `sleep`; whichever goes second sees the other. A write that lands before the driver enters the kernel leaves
     * the eventfd at 1, and the wake read (already armed, or submitted with the waiting enter) completes at once.
     *
     * Close. `closing` (under lock) stops the taking of reads: reads still queued complete with -ECANCELED; one
     * IORING_OP_ASYNC_CANCEL per read in the kernel (and the wake read) asks the kernel to cancel it, matched by
     * user_data; a read that cannot be cancelled (a block read already issued) completes with its bytes. Submitters
     * that were between the reader's open check and their queueing (the window, `active`) still queue; the driver
     * waits for them (the last one nudges it). The driver ends when the window is empty, the queue is empty and
     * nothing is in the kernel; then it releases the kernel resources.
     *
     * CQ sizing. At most queueDepth reads, one wake read and queueDepth + 1 cancels are in the kernel at once; the
     * CQ has 2 * sq_entries >= 2 * (queueDepth + 1) entries, so it cannot overflow. IORING_SQ_CQ_OVERFLOW is still
     * checked after each reap: the next enter (always with GETEVENTS) flushes the kernel's overflow list.
     */

    /** user_data of the wake read; reads use their slot, 0 .. queueDepth - 1. */
    private static final long WAKE = -1L;
    /** user_data of the cancel requests. */
    private static final long CANCEL = -2L;

    static final int AWAKE = 0;
    static final int PARKED = 1;
    static final int IN_KERNEL = 2;

    /** A contended lock(): onSpinWait rounds before it yields between attempts. */
    private static final int LOCK_SPINS = 64;

    /** pollIdle: onSpinWait rounds, then Thread.yield until IDLE_POLL_NANOS have passed. */
    private static final int IDLE_SPINS = 128;
    private static final long IDLE_POLL_NANOS = 50_000;

    /** Bit 63 of active: the reader is closed. */
    private static final long CLOSED = Long.MIN_VALUE;

    /** Accesses a 32-bit field of a mapped ring: coordinates (MemorySegment, long offset). */
    private static final VarHandle RING_INT = JAVA_INT.varHandle();
    private static final VarHandle ACTIVE;
    private static final VarHandle QUEUE_COUNT;
    private static final VarHandle LOCKED;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            ACTIVE = lookup.findVarHandle(Driver.class, "active", long.class);
            QUEUE_COUNT = lookup.findVarHandle(Driver.class, "queueCount", int.class);
            LOCKED = lookup.findVarHandle(Driver.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final long SQE_SIZE = Uapi.SQE.byteSize();
    private static final long SQE_OPCODE = Uapi.offset(Uapi.SQE, "opcode");
    private static final long SQE_FLAGS = Uapi.offset(Uapi.SQE, "flags");
    private static final long SQE_IOPRIO = Uapi.offset(Uapi.SQE, "ioprio");
    private static final long SQE_FD = Uapi.offset(Uapi.SQE, "fd");
    private static final long SQE_OFF = Uapi.offset(Uapi.SQE, "off");
    private static final long SQE_ADDR = Uapi.offset(Uapi.SQE, "addr");
    private static final long SQE_LEN = Uapi.offset(Uapi.SQE, "len");
    private static final long SQE_RW_FLAGS = Uapi.offset(Uapi.SQE, "op_flags", "rw_flags");
    private static final long SQE_CANCEL_FLAGS = Uapi.offset(Uapi.SQE, "op_flags", "cancel_flags");
    private static final long SQE_USER_DATA = Uapi.offset(Uapi.SQE, "user_data");
    private static final long SQE_BUF_INDEX = Uapi.offset(Uapi.SQE, "buf_index");
    private static final long SQE_PERSONALITY = Uapi.offset(Uapi.SQE, "personality");
    private static final long SQE_SPLICE_FD_IN = Uapi.offset(Uapi.SQE, "splice_fd_in");
    private static final long SQE_ADDR3 = Uapi.offset(Uapi.SQE, "addr3");
    private static final long SQE_PAD2 = Uapi.offset(Uapi.SQE, "__pad2");
    private static final long CQE_SIZE = Uapi.CQE.byteSize();
    private static final long CQE_USER_DATA = Uapi.offset(Uapi.CQE, "user_data");
    private static final long CQE_RES = Uapi.offset(Uapi.CQE, "res");

    private static final AtomicInteger THREADS = new AtomicInteger();

    // ---------------------------------------------------------------------------------------------------------------
    // Configuration: final.

    private final CompletionRing ring;
    private final int queueDepth;
    private final Options options;
    private final Thread thread;
    /** Driver allocations that live as long as the driver (its errno segment, the wake buffers); freed by GC. */
    private final Arena arena = Arena.ofAuto();
    /** The 8-byte value 1 that a submitter writes to the eventfd; read-only after construction. */
    private final MemorySegment one;
    private final CountDownLatch setupDone = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);

    // ---------------------------------------------------------------------------------------------------------------
    // Set by the driver thread during setup, read-only afterwards (published to submitters by setupDone).

    private volatile IOException setupFailure;
    /** What made the driver's loop fail (fail), or null. */
    private volatile Throwable failure;
    private int ringFd = -1;
    private int eventFd = -1;
    private int setupFlags;
    private int features;
    private MemorySegment sqRing;
    private MemorySegment cqRing;
    private MemorySegment sqes;
    private long sqHeadOffset;
    private long sqTailOffset;
    private long sqFlagsOffset;
    private int sqMask;
    private int sqEntries;
    private long cqHeadOffset;
    private long cqTailOffset;
    private long cqOverflowOffset;
    private long cqesOffset;
    private int cqMask;
    private int cqEntries;

    // ---------------------------------------------------------------------------------------------------------------
    // Written only by the driver thread.

    /** The driver's errno capture segment. */
    private final MemorySegment errno;
    /** The wake read's destination: 8 bytes the kernel writes (the eventfd's counter). */
    private final MemorySegment wakeBuffer;
    /** The SQ tail as the driver wrote it; published to the kernel by setRelease in submitAndWait. */
    private int sqTail;
    /** The CQ head as the driver consumed it; published to the kernel by setRelease in reap. */
    private int cqHead;
    /** The in-flight table: slot s holds the read whose SQE carries user_data s, null when free. */
    private final UringFile[] slotFile;
    private final ByteBuffer[] slotBuffer;
    private final long[] slotUserData;
    private final int[] freeSlots;
    private int freeCount;
    /** Reads in the kernel: queueDepth - freeCount. */
    private int inKernel;
    private boolean wakeArmed;
    private int cancelsInKernel;
    /** Close: the next slot to send a cancel for (queueDepth stands for the wake read); done past queueDepth. */
    private int cancelCursor;
    /** One reap's completions, handed to completeAll. */
    private final long[] doneUserData;
    private final long[] doneResults;
    private final DriverStats stats = new DriverStats();

    // ---------------------------------------------------------------------------------------------------------------
    // Shared with submitters.

    /**
     * The queue lock: 1 while held (lock, unlock). Its critical sections are a few dozen stores and never block, so
     * a waiter spins, then yields, and never parks: ReentrantLock would allocate a queue node for each contended
     * acquisition, the one allocation left in the driver's steady state.
     */
    @SuppressWarnings("unused")                             // accessed through LOCKED
    private volatile int locked;
    /** The queue, a circular buffer under lock: reads accepted and not yet taken by the driver. */
    private UringFile[] queueFile;
    private ByteBuffer[] queueBuffer;
    private long[] queuePosition;
    private long[] queueAddress;
    private int[] queueLength;
    private long[] queueUserData;
    private int queueHead;
    /** Under lock, except the driver's idle poll (getAcquire): submitters add with setRelease. */
    private int queueCount;
    /** Under lock: the reader is closing (UringReader.close). */
    private boolean closing;
    /** Under lock: a submitter that finds the driver asleep wakes it (false while no slot is free to take a read). */
    private boolean wakeForReads;
    /**
     * AWAKE, PARKED or IN_KERNEL. Set to PARKED or IN_KERNEL only by the driver under lock, after it saw the queue
     * empty; set to AWAKE under lock by the one submitter (or close) that then wakes it, or by the driver itself
     * when its wait ended. Volatile: the driver's park loop and post-wait store are outside the lock.
     */
    private volatile int sleep;
    /** The reader's window: read calls between their open check and their queueing, plus CLOSED (bit 63). */
    @SuppressWarnings("unused")                             // accessed through ACTIVE
    private volatile long active;

    private Driver(CompletionRing ring, int queueDepth, Options options) {
        this.ring = ring;
        this.queueDepth = queueDepth;
        this.options = options;
        this.errno = Native.newErrnoSegment(arena);
        this.wakeBuffer = arena.allocate(JAVA_LONG);
        this.one = arena.allocate(JAVA_LONG);
        this.one.set(JAVA_LONG, 0, 1L);
        this.slotFile = new UringFile[queueDepth];
        this.slotBuffer = new ByteBuffer[queueDepth];
        this.slotUserData = new long[queueDepth];
        this.freeSlots = new int[queueDepth];
        for (int s = queueDepth - 1; s >= 0; s--) {
            freeSlots[freeCount++] = s;
        }
        final int queueCapacity = Integer.highestOneBit(Math.max(16, queueDepth) * 2 - 1);
        this.queueFile = new UringFile[queueCapacity];
        this.queueBuffer = new ByteBuffer[queueCapacity];
        this.queuePosition = new long[queueCapacity];
        this.queueAddress = new long[queueCapacity];
        this.queueLength = new int[queueCapacity];
        this.queueUserData = new long[queueCapacity];
        final int sq = sqEntriesFor(queueDepth);
        this.doneUserData = new long[2 * sq];
        this.doneResults = new long[2 * sq];
        this.thread = new Thread(this, "uring-driver-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    /** SQ entries: a power of two with room for every read and the wake read. */
    private static int sqEntriesFor(int queueDepth) {
        return Integer.highestOneBit((queueDepth + 1) * 2 - 1);
    }

    /** Starts a driver thread, which sets up the io_uring; returns once it is running, or throws its failure. */
    static Driver start(CompletionRing ring, int queueDepth, Options options) throws IOException {
        final Driver driver = new Driver(ring, queueDepth, options);
        driver.thread.start();
        awaitUninterruptibly(driver.setupDone);
        final IOException failure = driver.setupFailure;
        if (failure != null) {
            throw failure;
        }
        return driver;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Submitters' side.

    /** Enters the window: false (and nothing changed) if the reader is closed. */
    boolean tryEnter() {
        for (;;) {
            final long a = (long) ACTIVE.getVolatile(this);
            if (a < 0) {
                return false;
            }
            if (ACTIVE.compareAndSet(this, a, a + 1)) {     // ordered with close's getAndBitwiseOr
                return true;
            }
        }
    }

    /** Leaves the window; the last one to leave a closed reader nudges the driver, which waits for it. */
    void leave() {
        if ((long) ACTIVE.getAndAdd(this, -1L) - 1 == CLOSED) {
            wakeDriver(false);
        }
    }

    /** Queues an accepted read (its ring slot reserved, its file acquired); wakes the driver if it sleeps. */
    void enqueue(UringFile file, ByteBuffer buffer, long position, long address, int length, long userData) {
        int wake = AWAKE;
        lock();
        try {
            if (queueCount == queueFile.length) {
                growQueue();
            }
            final int i = (queueHead + queueCount) & (queueFile.length - 1);
            queueFile[i] = file;
            queueBuffer[i] = buffer;
            queuePosition[i] = position;
            queueAddress[i] = address;
            queueLength[i] = length;
            queueUserData[i] = userData;
            QUEUE_COUNT.setRelease(this, queueCount + 1);   // release: the entry before the count (idle poll)
            final int s = sleep;
            if (s != AWAKE && wakeForReads) {
                sleep = AWAKE;                              // this submitter wakes it; later ones need not
                wake = s;
            }
        } finally {
            unlock();
        }
        wake(wake);
    }

    /** Doubles the queue, keeping its order; under lock, only when it is full (not in the steady state). */
    private void growQueue() {
        final int n = queueFile.length;
        final UringFile[] file = new UringFile[2 * n];
        final ByteBuffer[] buffer = new ByteBuffer[2 * n];
        final long[] position = new long[2 * n];
        final long[] address = new long[2 * n];
        final int[] length = new int[2 * n];
        final long[] userData = new long[2 * n];
        for (int k = 0; k < n; k++) {
            final int i = (queueHead + k) & (n - 1);
            file[k] = queueFile[i];
            buffer[k] = queueBuffer[i];
            position[k] = queuePosition[i];
            address[k] = queueAddress[i];
            length[k] = queueLength[i];
            userData[k] = queueUserData[i];
        }
        queueFile = file;
        queueBuffer = buffer;
        queuePosition = position;
        queueAddress = address;
        queueLength = length;
        queueUserData = userData;
        queueHead = 0;
    }

    /**
     * Closes the reader's window and tells the driver to finish: returns false if it was already closed. The
     * driver then completes or cancels everything accepted and ends; {@link #awaitTermination} waits for that.
     */
    boolean shutdown() {
        if ((long) ACTIVE.getAndBitwiseOr(this, CLOSED) < 0) {
            return false;
        }
        wakeDriver(true);
        return true;
    }

    boolean isShutdown() {
        return (long) ACTIVE.getVolatile(this) < 0;
    }

    /** Wakes the driver whatever it sleeps for; with close, also marks it closing. */
    private void wakeDriver(boolean close) {
        int wake = AWAKE;
        lock();
        try {
            if (close) {
                closing = true;
            }
            final int s = sleep;
            if (s != AWAKE) {
                sleep = AWAKE;
                wake = s;
            }
        } finally {
            unlock();
        }
        wake(wake);
    }

    private void lock() {
        if (!LOCKED.compareAndSet(this, 0, 1)) {            // acquire: the last holder's writes before our reads
            lockContended();
        }
    }

    private void lockContended() {
        for (int spins = 0; ; spins++) {
            if ((int) LOCKED.getOpaque(this) == 0 && LOCKED.compareAndSet(this, 0, 1)) {
                return;
            }
            if (spins < LOCK_SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();                             // the holder may have lost its core
            }
        }
    }

    private void unlock() {
        LOCKED.setRelease(this, 0);                         // release: our writes before the next holder's reads
    }

    private void wake(int how) {
        if (how == PARKED) {
            LockSupport.unpark(thread);
        } else if (how == IN_KERNEL) {
            Native.write8(eventFd, one);                     // completes the wake read: the driver's enter returns
        }
    }

    void awaitTermination() {
        awaitUninterruptibly(terminated);
    }

    DriverStats stats() {
        return stats;
    }

    /** Reads queued and not yet taken by the driver: a racy snapshot, for the benchmark's sampling. */
    int queuedSnapshot() {
        return (int) QUEUE_COUNT.getOpaque(this);
    }

    int setupFlags() {
        return setupFlags;
    }

    Thread thread() {
        return thread;
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        for (;;) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The driver thread.

    @Override
    public void run() {
        try {
            setup();
        } catch (IOException e) {
            setupFailure = e;
            release();
            setupDone.countDown();
            terminated.countDown();
            return;
        }
        setupDone.countDown();
        try {
            loop();
            release();
        } catch (Throwable t) {
            fail(t);
        } finally {
            terminated.countDown();
        }
    }

    /**
     * The loop threw: a bug, or a call that must not fail did (a completeAll that found no reservation, because
     * another thread completed into the reader's single-producer ring). The reader closes itself: new reads are
     * refused (IllegalStateException with this failure as the cause), and the close sequence runs once more, so
     * that the accepted reads still complete. If that fails too, the io_uring is left mapped and open: releasing it
     * with reads in the kernel could let the kernel write into buffers handed back to their owners. The failure goes
     * to the thread's uncaught-exception handler.
     */
    private void fail(Throwable t) {
        failure = t;
        ACTIVE.getAndBitwiseOr(this, CLOSED);               // refuse new reads
        lock();
        try {
            closing = true;
        } finally {
            unlock();
        }
        try {
            loop();
            release();
        } catch (Throwable again) {
            t.addSuppressed(again);
        }
        final Thread self = Thread.currentThread();
        self.getUncaughtExceptionHandler().uncaughtException(self, t);
    }

    /** Why the driver failed, or null; set before the reader's window closes for it. */
    Throwable failure() {
        return failure;
    }

    /** Creates the io_uring (on this thread, so that SINGLE_ISSUER names it the issuer), maps it, and the eventfd. */
    private void setup() throws IOException {
        final int entries = sqEntriesFor(queueDepth);
        final MemorySegment params = arena.allocate(Uapi.PARAMS);
        long fd = -1;
        int failure = 0;
        for (int flags : options.setupFlags()) {
            params.fill((byte) 0);
            params.set(JAVA_INT, Uapi.offset(Uapi.PARAMS, "flags"), flags | Uapi.IORING_SETUP_CQSIZE);
            params.set(JAVA_INT, Uapi.offset(Uapi.PARAMS, "cq_entries"), 2 * entries);
            fd = Native.ioUringSetup(errno, entries, params);
            if (fd >= 0) {
                setupFlags = flags;
                break;
            }
            failure = Native.errno(errno);
            if (failure != Uapi.EINVAL) {                    // EINVAL: a flag this kernel lacks; try the next set
                break;
            }
        }
        if (fd < 0) {
            throw new IOException(Support.setupFailure(failure));
        }
        ringFd = (int) fd;
        features = params.get(JAVA_INT, Uapi.offset(Uapi.PARAMS, "features"));
        sqEntries = params.get(JAVA_INT, Uapi.offset(Uapi.PARAMS, "sq_entries"));
        cqEntries = params.get(JAVA_INT, Uapi.offset(Uapi.PARAMS, "cq_entries"));
        final long sqOff = Uapi.offset(Uapi.PARAMS, "sq_off");
        final long cqOff = Uapi.offset(Uapi.PARAMS, "cq_off");
        final int sqArray = params.get(JAVA_INT, sqOff + Uapi.offset(Uapi.SQRING_OFFSETS, "array"));
        final int cqes = params.get(JAVA_INT, cqOff + Uapi.offset(Uapi.CQRING_OFFSETS, "cqes"));
        final long sqSize = sqArray + (long) sqEntries * Integer.BYTES;
        final long cqSize = cqes + (long) cqEntries * CQE_SIZE;
        if ((features & Uapi.IORING_FEAT_SINGLE_MMAP) != 0) {
            sqRing = map(Math.max(sqSize, cqSize), Uapi.IORING_OFF_SQ_RING, "SQ/CQ ring");
            cqRing = sqRing;
        } else {
            sqRing = map(sqSize, Uapi.IORING_OFF_SQ_RING, "SQ ring");
            cqRing = map(cqSize, Uapi.IORING_OFF_CQ_RING, "CQ ring");
        }
        sqes = map(sqEntries * SQE_SIZE, Uapi.IORING_OFF_SQES, "SQEs");
        sqHeadOffset = params.get(JAVA_INT, sqOff + Uapi.offset(Uapi.SQRING_OFFSETS, "head"));
        sqTailOffset = params.get(JAVA_INT, sqOff + Uapi.offset(Uapi.SQRING_OFFSETS, "tail"));
        sqFlagsOffset = params.get(JAVA_INT, sqOff + Uapi.offset(Uapi.SQRING_OFFSETS, "flags"));
        sqMask = sqRing.get(JAVA_INT, params.get(JAVA_INT, sqOff + Uapi.offset(Uapi.SQRING_OFFSETS, "ring_mask")));
        cqHeadOffset = params.get(JAVA_INT, cqOff + Uapi.offset(Uapi.CQRING_OFFSETS, "head"));
        cqTailOffset = params.get(JAVA_INT, cqOff + Uapi.offset(Uapi.CQRING_OFFSETS, "tail"));
        cqOverflowOffset = params.get(JAVA_INT, cqOff + Uapi.offset(Uapi.CQRING_OFFSETS, "overflow"));
        cqesOffset = cqes;
        cqMask = cqRing.get(JAVA_INT, params.get(JAVA_INT, cqOff + Uapi.offset(Uapi.CQRING_OFFSETS, "ring_mask")));
        // The SQ array maps ring positions to SQE indices; the identity, written once, as liburing does.
        for (int i = 0; i < sqEntries; i++) {
            sqRing.set(JAVA_INT, sqArray + (long) i * Integer.BYTES, i);
        }
        sqTail = sqRing.get(JAVA_INT, sqTailOffset);
        cqHead = cqRing.get(JAVA_INT, cqHeadOffset);
        eventFd = Native.eventfd(errno, Uapi.EFD_CLOEXEC);
        if (eventFd < 0) {
            throw Native.ioException("eventfd", Native.errno(errno));
        }
    }

    private MemorySegment map(long size, long offset, String what) throws IOException {
        final MemorySegment mapping = Native.mmapShared(errno, ringFd, size, offset);
        if (mapping == null) {
            throw Native.ioException("mmap of the io_uring " + what, Native.errno(errno));
        }
        return mapping;
    }

    /**
     * Releases the kernel resources: called once nothing is in the kernel (or setup failed part way). Nothing reads
     * the mappings afterwards: only this thread touches them. The eventfd is written only by submitters in the
     * reader's window and by close() before this thread ends, and the driver ends only once the window is empty.
     */
    private void release() {
        if (cqRing != null) {
            // Opaque, as liburing's READ_ONCE of cq.koverflow: CQEs the kernel dropped (only without FEAT_NODROP).
            stats.droppedCqes = (int) RING_INT.getOpaque(cqRing, cqOverflowOffset);
        }
        if (eventFd >= 0) {
            Native.close(errno, eventFd);
        }
        if (sqes != null) {
            Native.munmap(errno, sqes);
        }
        if (cqRing != null && cqRing != sqRing) {
            Native.munmap(errno, cqRing);
        }
        if (sqRing != null) {
            Native.munmap(errno, sqRing);
        }
        if (ringFd >= 0) {
            Native.close(errno, ringFd);
        }
    }

    private void loop() {
        boolean polled = false;                             // whether this idle period has been polled (pollIdle)
        for (;;) {
            final int mode;
            int cancelled = 0;
            boolean closing;
            lock();
            try {
                closing = this.closing;
                if (closing) {
                    cancelled = takeQueuedAsCancelled();
                } else {
                    takeQueued();
                }
                mode = decide(closing, cancelled);
                if (mode == PARKED && !polled && !closing) {
                    // not yet: poll the queue for a while first (pollIdle), without publishing anything
                } else if (mode == PARKED || mode == IN_KERNEL) {
                    wakeForReads = freeCount > 0;
                    sleep = mode;                            // published under lock, after the queue was taken
                }
            } finally {
                unlock();
            }
            if (mode < 0) {
                return;
            }
            if (cancelled > 0) {
                ring.completeAll(doneUserData, doneResults, 0, cancelled);
            }
            if (closing && cancelCursor <= queueDepth) {
                writeCancels();
            }
            if (mode == PARKED) {
                if (!polled && !closing) {
                    polled = true;
                    pollIdle();
                    continue;                                // take what came, or decide again (and park)
                }
                stats.parks++;
                while (sleep == PARKED) {
                    LockSupport.park(this);
                }
                continue;
            }
            if (mode == IN_KERNEL && !wakeArmed && !closing) {
                writeWakeRead();                             // closing: its cancel was sent; we wait for CQEs only
            }
            submitAndWait(mode == IN_KERNEL ? 1 : 0);
            if (mode == IN_KERNEL) {
                sleep = AWAKE;                               // our wait is over: submitters need not wake us
            }
            final long r0 = System.nanoTime();
            reap();
            stats.reapNanos += System.nanoTime() - r0;
            polled = false;
        }
    }


    /**
     * Before the driver parks for lack of reads: spins, then yields, for up to IDLE_POLL_NANOS, watching the queue.
     * A submitter that queues meanwhile finds the driver AWAKE and needs no unpark: where a reaper issues the next
     * read a few microseconds after its completion (a read at a time), this saves a park and an unpark per read.
     */
    private void pollIdle() {
        final long start = System.nanoTime();
        for (int spins = 0; (int) QUEUE_COUNT.getAcquire(this) == 0; spins++) {
            if (spins < IDLE_SPINS) {
                Thread.onSpinWait();
            } else if (System.nanoTime() - start < IDLE_POLL_NANOS) {
                Thread.yield();
            } else {
                return;
            }
        }
    }

    /**
     * What the driver does next, under lock: -1 to end, AWAKE to submit and reap without waiting, IN_KERNEL to wait
     * for a completion, PARKED to wait for a read.
     */
    private int decide(boolean closing, int cancelled) {
        // New SQEs are submitted by an enter that does not wait, with `sleep` left AWAKE: an enter that submitted and
        // waited in one call would have to publish IN_KERNEL, and submitters would write the eventfd during enters
        // that return at once (reads from the page cache complete inside the submitting call). Measured: 10 to 60
        // times the wake writes, and 2x the CPU per read.
        if (cancelled > 0 || sqTail != sqHead()) {
            return AWAKE;
        }
        if (closing) {
            if (cancelCursor <= queueDepth) {
                return AWAKE;                                // cancels still to send
            }
            if (inKernel > 0 || wakeArmed || cancelsInKernel > 0) {
                return IN_KERNEL;
            }
            return ((long) ACTIVE.getVolatile(this) & ~CLOSED) == 0 ? -1 : PARKED;
        }
        return inKernel > 0 ? IN_KERNEL : PARKED;
    }

    /** Under lock: moves queued reads into free slots, writing their SQEs, as far as slots and SQ space allow. */
    private void takeQueued() {
        int n = Math.min(queueCount, Math.min(freeCount, sqEntries - (sqTail - sqHead())));
        if (n <= 0) {
            return;
        }
        final int mask = queueFile.length - 1;
        int head = queueHead;
        for (; n > 0; n--) {
            final int slot = freeSlots[--freeCount];
            final UringFile file = queueFile[head];
            slotFile[slot] = file;
            slotBuffer[slot] = queueBuffer[head];
            slotUserData[slot] = queueUserData[head];
            writeSqe(Uapi.IORING_OP_READ, options.forceAsync() ? Uapi.IOSQE_ASYNC : 0, file.fd(),
                    queuePosition[head], queueAddress[head], queueLength[head], 0, slot);
            queueFile[head] = null;
            queueBuffer[head] = null;
            head = (head + 1) & mask;
            queueCount--;
            inKernel++;
        }
        queueHead = head;
    }

    /** Under lock, closing: takes queued reads out as completions with -ECANCELED (they never reach the kernel). */
    private int takeQueuedAsCancelled() {
        final int n = Math.min(queueCount, doneUserData.length);
        final int mask = queueFile.length - 1;
        int head = queueHead;
        for (int k = 0; k < n; k++) {
            doneUserData[k] = queueUserData[head];
            doneResults[k] = -Uapi.ECANCELED;
            queueFile[head].release();
            queueFile[head] = null;
            queueBuffer[head] = null;
            head = (head + 1) & mask;
        }
        queueHead = head;
        queueCount -= n;
        stats.cancelledQueued += n;
        return n;
    }

    /** Closing: one IORING_OP_ASYNC_CANCEL per read in the kernel and for the wake read, as SQ space allows. */
    private void writeCancels() {
        for (; cancelCursor <= queueDepth; cancelCursor++) {
            final long target;
            if (cancelCursor == queueDepth) {
                if (!wakeArmed) {
                    continue;
                }
                target = WAKE;
            } else {
                if (slotFile[cancelCursor] == null) {
                    continue;
                }
                target = cancelCursor;
            }
            if (sqTail - sqHead() == sqEntries) {
                return;                                      // SQ full: the rest on the next turn
            }
            writeSqe(Uapi.IORING_OP_ASYNC_CANCEL, (byte) 0, -1, 0L, target, 0, 0, CANCEL);
            cancelsInKernel++;
            stats.cancelsSent++;
        }
    }

    private void writeWakeRead() {
        writeSqe(Uapi.IORING_OP_READ, (byte) 0, eventFd, 0L, wakeBuffer.address(), Long.BYTES, 0, WAKE);
        wakeArmed = true;
    }

    /**
     * Writes the SQE at the SQ tail and advances the driver's copy of the tail; plain stores, published by the
     * release store of the tail in submitAndWait. Every field is written: the SQE may hold an earlier request.
     */
    private void writeSqe(byte opcode, byte flags, int fd, long off, long addr, int len, int opFlags,
                          long userData) {
        final MemorySegment sqes = this.sqes;
        final long base = (sqTail & sqMask) * SQE_SIZE;
        sqes.set(JAVA_BYTE, base + SQE_OPCODE, opcode);
        sqes.set(JAVA_BYTE, base + SQE_FLAGS, flags);
        sqes.set(JAVA_SHORT, base + SQE_IOPRIO, (short) 0);
        sqes.set(JAVA_INT, base + SQE_FD, fd);
        sqes.set(JAVA_LONG, base + SQE_OFF, off);
        sqes.set(JAVA_LONG, base + SQE_ADDR, addr);
        sqes.set(JAVA_INT, base + SQE_LEN, len);
        sqes.set(JAVA_INT, base + (opcode == Uapi.IORING_OP_ASYNC_CANCEL ? SQE_CANCEL_FLAGS : SQE_RW_FLAGS), opFlags);
        sqes.set(JAVA_LONG, base + SQE_USER_DATA, userData);
        sqes.set(JAVA_SHORT, base + SQE_BUF_INDEX, (short) 0);
        sqes.set(JAVA_SHORT, base + SQE_PERSONALITY, (short) 0);
        sqes.set(JAVA_INT, base + SQE_SPLICE_FD_IN, 0);
        sqes.set(JAVA_LONG, base + SQE_ADDR3, 0L);
        sqes.set(JAVA_LONG, base + SQE_PAD2, 0L);
        sqTail++;
    }

    /**
     * The kernel's SQ head: plain, as liburing reads it without SQPOLL: the kernel moves it only inside this
     * thread's own io_uring_enter, whose return orders it before this read.
     */
    private int sqHead() {
        return sqRing.get(JAVA_INT, sqHeadOffset);
    }

    /**
     * Publishes the SQEs written since the last call and enters the kernel: submits them, and waits until
     * minComplete CQEs are in the CQ.
     */
    private void submitAndWait(int minComplete) {
        // Release: the SQE stores above are visible before the kernel reads the new tail (SQEs before tail).
        RING_INT.setRelease(sqRing, sqTailOffset, sqTail);
        final int toSubmit = sqTail - sqHead();
        stats.enters++;
        if (minComplete > 0) {
            stats.waits++;
        }
        final long t0 = System.nanoTime();
        final long r = Native.ioUringEnter(errno, ringFd, toSubmit, minComplete, Uapi.IORING_ENTER_GETEVENTS, 0L,
                0L);
        final long dt = System.nanoTime() - t0;
        if (minComplete > 0) {
            stats.waitNanos += dt;
        } else {
            stats.submitNanos += dt;
        }
        if (r >= 0) {
            stats.submitted += r;
            return;
        }
        final int e = Native.errno(errno);
        if (e == Uapi.EINTR || e == Uapi.EAGAIN || e == Uapi.EBUSY) {
            // A signal, or the kernel is short of request memory or must flush overflowed CQEs first: reap, retry.
            stats.enterRetries++;
            return;
        }
        throw new IllegalStateException("io_uring_enter failed: " + Native.errnoName(e));
    }

    /**
     * Reaps every CQE in the CQ and completes the reads among them with one completeAll. The orderings are
     * liburing's (io_uring_peek_batch_cqe, io_uring_cq_advance).
     */
    private void reap() {
        final MemorySegment cq = this.cqRing;
        int head = this.cqHead;                             // plain: only this thread writes the CQ head
        // Acquire: the CQEs before the tail are written (pairs with the kernel's smp_store_release of the tail).
        final int tail = (int) RING_INT.getAcquire(cq, cqTailOffset);
        if (head == tail) {
            checkOverflow();
            return;
        }
        final long cqesOffset = this.cqesOffset;
        final int cqMask = this.cqMask;
        final long[] doneUserData = this.doneUserData;
        final long[] doneResults = this.doneResults;
        int done = 0;
        for (; head != tail; head++) {
            final long cqe = cqesOffset + (head & cqMask) * CQE_SIZE;
            final long userData = cq.get(JAVA_LONG, cqe + CQE_USER_DATA);  // plain: after the acquire above
            final int res = cq.get(JAVA_INT, cqe + CQE_RES);
            if (userData >= 0) {
                final int slot = (int) userData;
                doneUserData[done] = slotUserData[slot];
                doneResults[done] = res;
                done++;
                final UringFile file = slotFile[slot];
                slotFile[slot] = null;                       // the kernel is done with the buffer and the fd
                slotBuffer[slot] = null;
                freeSlots[freeCount++] = slot;
                inKernel--;
                file.release();
            } else if (userData == WAKE) {
                wakeArmed = false;
                stats.wakeReads++;
            } else {
                cancelsInKernel--;
            }
        }
        // Release: the CQE reads above happen-before the kernel's reuse of these entries (fields before head).
        RING_INT.setRelease(cq, cqHeadOffset, tail);
        this.cqHead = tail;
        stats.reaped += done;
        if (done > 0) {
            stats.batches++;
            ring.completeAll(doneUserData, doneResults, 0, done);
        }
        checkOverflow();
    }

    /**
     * IORING_SQ_CQ_OVERFLOW: the kernel kept CQEs that did not fit (it cannot, with our sizing); they are flushed
     * into the CQ by the next io_uring_enter with GETEVENTS, which every turn makes, so counting it is all. Opaque,
     * as liburing's READ_ONCE: a flag, not a publication.
     */
    private void checkOverflow() {
        if (((int) RING_INT.getOpaque(sqRing, sqFlagsOffset) & Uapi.IORING_SQ_CQ_OVERFLOW) != 0) {
            stats.overflows++;
        }
    }


    /** Counters of the driver thread, for tests and benchmarks: written only by it, read after it ends. */
    static final class DriverStats {
        long enters;
        long waits;
        long parks;
        long submitted;
        long reaped;
        long batches;
        long wakeReads;
        long enterRetries;
        long overflows;
        long cancelsSent;
        long cancelledQueued;
        long droppedCqes;
        long waitNanos;
        long submitNanos;
        long reapNanos;

        @Override
        public String toString() {
            return "enters=" + enters + " waits=" + waits + " parks=" + parks + " submitted=" + submitted
                    + " reaped=" + reaped + " batches=" + batches + " wakeReads=" + wakeReads
                    + " enterRetries=" + enterRetries + " overflows=" + overflows + " cancelsSent=" + cancelsSent
                    + " cancelledQueued=" + cancelledQueued + " droppedCqes=" + droppedCqes
                    + " waitMs=" + waitNanos / 1_000_000 + " submitMs=" + submitNanos / 1_000_000
                    + " reapMs=" + reapNanos / 1_000_000 + " submitUsPerEnter="
                    + (enters == waits ? 0 : submitNanos / 1000 / (enters - waits));
        }
    }
}
