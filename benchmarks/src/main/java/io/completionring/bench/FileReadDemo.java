package io.completionring.bench;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import io.completionring.RingClosedException;
import io.completionring.RingStats;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

import static io.completionring.bench.Table.f;

/**
 * Reads a real file through a multi-producer ring: the completion handlers of an {@link AsynchronousFileChannel},
 * running concurrently on the channel's pool threads, call {@code complete(blockIndex, bytesRead)}; reaper threads
 * in {@code getEvents} compute the CRC32C of each 64 KiB block and issue the next read. The same reads then go
 * through the pipeline a Java developer would write without the ring: the handler puts each result into an {@code
 * ArrayBlockingQueue}, the reapers {@code take()}. Both must produce the checksum that a sequential single-threaded
 * read of the file produces.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.completionring.bench.FileReadDemo [--size-mb N | --file PATH]
 *      [--in-flight N] [--reapers N]
 * </pre>
 *
 * <p>Defaults: a temporary file of 256 MiB of pseudo-random data (deleted at the end), 64 reads of 64 KiB in flight,
 * 2 reapers. The channel's pool has {@value #IO_THREADS} threads. The file is read once sequentially (the reference
 * checksum; this also brings it into the page cache, so the pipelines measure the hand-off, the checksums and the
 * system calls rather than the disk), then by each pipeline once to warm up and {@value #PASSES} times in
 * alternation; each pass is checked, and the summary gives the median MB/s (MB = 2^20 bytes).
 *
 * <p>The checksum: the CRC32C of the sequence of the blocks' CRC32C values (4 bytes each, big-endian, in block
 * order), each block 64 KiB but the last. A reaper stores a block's CRC at the block's index, so the order in which
 * blocks complete does not matter.
 *
 * <p>In flight: slot {@code s} (one 64 KiB direct buffer, reused) reads blocks {@code s, s + N, s + 2N, ...} for
 * {@code N = --in-flight}, so a reaper finds a block's buffer from the block index alone; it reserves the ring slot
 * with {@code submit()} before it issues each read (the ring's capacity is at least N, so that never waits). A read
 * that fails completes with a negative result; the reaper reports it, the ring is closed, the reapers drain what is
 * in flight, and the program exits 1.
 *
 * <p>Exit status: 0 when every checksum matches; 1 on a mismatch, a failed read or a stall; 2 on bad flags.
 */
public final class FileReadDemo {

    static final int BLOCK = 64 * 1024;
    /** Threads of the channel's pool: the completion handlers, and so the ring's producers, run on them. */
    static final int IO_THREADS = 4;
    static final int PASSES = 3;
    /** A pass that makes no progress for this long is reported as stalled (exit 1) rather than left hanging. */
    static final long STALL_SECONDS = 30;
    /** One line per pass: pipeline and pass, the checksum, MB/s, the structure's counters. */
    static final Table PASSES_TABLE = new Table(27, 8, 8, 0);

    /** The settings, from the command line; file is null for a temporary file of sizeMb MiB. */
    record Options(int sizeMb, Path file, int inFlight, int reapers) {
    }

    static Options parse(String[] args) {
        final Flags flags = new Flags("FileReadDemo", "Reads a file in 64 KiB blocks through a multi-producer"
                + " CompletionRing (AsynchronousFileChannel handlers\ncomplete, reapers checksum) and through an"
                + " ArrayBlockingQueue; every pass must match a sequential read's checksum.");
        final OptionSpec<Long> sizeMb = flags.number("size-mb", "size of the temporary file to create and read, MiB",
                1, 65_536, 256);
        final OptionSpec<Path> file = flags.readableFile("file", "read this file instead of a temporary one");
        final OptionSpec<Long> inFlight = flags.number("in-flight", "reads in flight", 1, 1024, 64);
        final OptionSpec<Long> reapers = flags.number("reapers", "reaper threads", 1, 64, 2);
        final OptionSet set = flags.parse(args);
        if (set.has(sizeMb) && set.has(file)) {
            throw flags.fail("--size-mb and --file exclude each other");
        }
        return new Options(set.valueOf(sizeMb).intValue(), set.valueOf(file), set.valueOf(inFlight).intValue(),
                set.valueOf(reapers).intValue());
    }

    /** A failed run: the message goes to stderr and the program exits 1. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        final Options o = parse(args);
        int status;
        try {
            status = run(o);
        } catch (IOException e) {
            System.err.println("FileReadDemo: " + e);
            status = 1;
        }
        System.exit(status);                                // the pools' threads are daemons; exit now with the status
    }

    static int run(Options o) throws IOException, InterruptedException {
        final Path file;
        if (o.file() != null) {
            file = o.file();
        } else {
            file = Files.createTempFile("file-read-demo-", ".bin");
            file.toFile().deleteOnExit();                   // also on a stall's System.exit
        }
        try {
            if (o.file() == null) {
                final long start = System.nanoTime();
                createFile(file, (long) o.sizeMb() << 20);
                System.out.printf(Locale.ROOT, "created %s: %,d MiB of pseudo-random data in %.2f s%n", file,
                        o.sizeMb(), (System.nanoTime() - start) / 1e9);
            }
            final long size = Files.size(file);
            if (size == 0) {
                System.err.println("FileReadDemo: --file " + file + " is empty");
                return 2;
            }
            final int blocks = (int) Math.min(Integer.MAX_VALUE, (size + BLOCK - 1) / BLOCK);
            if ((long) blocks * BLOCK < size) {
                System.err.println("FileReadDemo: --file " + file + " is too large (" + size + " bytes)");
                return 2;
            }
            System.out.printf(Locale.ROOT, "FileReadDemo: %s, %,d bytes = %,d blocks of 64 KiB; %d reads in flight,"
                            + " %d reapers, %d handler threads; %d processors, Java %s%n%n", file, size, blocks,
                    o.inFlight(), o.reapers(), IO_THREADS, Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            return compare(o, file, size, blocks);
        } finally {
            if (o.file() == null) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** The reference checksum, then the warm-up and the alternating passes of both pipelines; the exit status. */
    static int compare(Options o, Path file, long size, int blocks) throws IOException, InterruptedException {
        long start = System.nanoTime();
        final int expected = sequentialChecksum(file, blocks);
        double seconds = (System.nanoTime() - start) / 1e9;
        PASSES_TABLE.row("", "checksum", "MB/s", "");
        PASSES_TABLE.row("sequential reference", f("%08x", expected), f("%.1f", size / seconds / (1 << 20)),
                "one thread, FileChannel.read");

        final ExecutorService pool = Executors.newFixedThreadPool(IO_THREADS, daemons("aio-handler-"));
        try (AsynchronousFileChannel channel = AsynchronousFileChannel.open(file, Set.of(StandardOpenOption.READ),
                pool)) {
            final double[] ring = new double[PASSES];
            final double[] queue = new double[PASSES];
            boolean ok = true;
            for (int pass = 0; pass <= PASSES && ok; pass++) {
                final String label = pass == 0 ? "warm-up" : "pass " + pass;
                try {
                    final double r = pass(new RingPipeline(o, channel, size, blocks), label, expected);
                    final double q = pass(new QueuePipeline(o, channel, size, blocks), label, expected);
                    if (pass > 0) {
                        ring[pass - 1] = r;
                        queue[pass - 1] = q;
                    }
                } catch (Failure f) {
                    System.err.println("FileReadDemo: " + f.getMessage());
                    ok = false;
                }
            }
            if (!ok) {
                return 1;
            }
            Arrays.sort(ring);
            Arrays.sort(queue);
            System.out.printf(Locale.ROOT, "%nmedian of %d passes: ring %.1f MB/s, ArrayBlockingQueue %.1f MB/s"
                            + " (ring / queue = %.2f); every checksum matched %08x%n", PASSES, ring[PASSES / 2],
                    queue[PASSES / 2], ring[PASSES / 2] / queue[PASSES / 2], expected);
            return 0;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs one pass of a pipeline and checks its checksum; returns MB/s. */
    static double pass(Pipeline p, String label, int expected) throws InterruptedException, Failure {
        final long start = System.nanoTime();
        p.run();
        final double seconds = (System.nanoTime() - start) / 1e9;
        final int checksum = combine(p.crcs);
        final double mbs = p.size / seconds / (1 << 20);
        PASSES_TABLE.row(p.name + ", " + label, f("%08x", checksum), f("%.1f", mbs), p.stats());
        if (checksum != expected) {
            throw new Failure(p.name + ", " + label + ": checksum " + String.format("%08x", checksum)
                    + " differs from the sequential reference " + String.format("%08x", expected));
        }
        return mbs;
    }

    // ---- the checksum --------------------------------------------------------------------------------------------

    /** The reference: one thread reads the blocks in order with FileChannel.read. */
    static int sequentialChecksum(Path file, int blocks) throws IOException {
        final int[] crcs = new int[blocks];
        final ByteBuffer buffer = ByteBuffer.allocateDirect(BLOCK);
        final CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int b = 0; b < blocks; b++) {
                buffer.clear();
                while (buffer.hasRemaining() && ch.read(buffer) >= 0) {
                    // a short read: read the rest of the block
                }
                buffer.flip();
                crc.reset();
                crc.update(buffer);
                crcs[b] = (int) crc.getValue();
            }
        }
        return combine(crcs);
    }

    /** The CRC32C of the block CRCs, 4 bytes each, big-endian, in block order. */
    static int combine(int[] crcs) {
        final CRC32C crc = new CRC32C();
        final ByteBuffer bytes = ByteBuffer.allocate(4096);
        for (int c : crcs) {
            if (!bytes.hasRemaining()) {
                crc.update(bytes.flip());
                bytes.clear();
            }
            bytes.putInt(c);
        }
        crc.update(bytes.flip());
        return (int) crc.getValue();
    }

    static void createFile(Path file, long bytes) throws IOException {
        final SplittableRandom random = new SplittableRandom(42);
        final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long written = 0; written < bytes; ) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    chunk.putLong(random.nextLong());
                }
                chunk.flip();
                chunk.limit((int) Math.min(chunk.limit(), bytes - written));
                while (chunk.hasRemaining()) {
                    written += ch.write(chunk);
                }
            }
        }
    }

    // ---- the two pipelines ---------------------------------------------------------------------------------------

    /**
     * What both pipelines share: the slots (a buffer and a completion handler each), the block CRCs, the reapers'
     * loop body and the end of a pass. A pipeline says how a handler hands a finished read over, how a reaper takes
     * it, how a read is reserved and how the reapers are told to stop.
     */
    abstract static class Pipeline {
        final String name;
        final AsynchronousFileChannel channel;
        final long size;
        final int blocks;
        final int inFlight;
        final int reapers;
        /** The CRC32C of block b, at b; written by the reaper that took b, read after the reapers are joined. */
        final int[] crcs;
        final Slot[] slots;
        /** Blocks checksummed; the reaper that checksums the last one ends the pass. */
        final AtomicInteger done = new AtomicInteger();
        /** The first failure a reaper saw; a pass with one ends early and fails. */
        final AtomicReference<String> failure = new AtomicReference<>();
        /** Set by the first call of {@link #end}: the reapers are told to stop once. */
        private final AtomicBoolean ended = new AtomicBoolean();

        Pipeline(String name, Options o, AsynchronousFileChannel channel, long size, int blocks) {
            this.name = name;
            this.channel = channel;
            this.size = size;
            this.blocks = blocks;
            this.inFlight = Math.min(o.inFlight(), blocks);
            this.reapers = o.reapers();
            this.crcs = new int[blocks];
            this.slots = new Slot[inFlight];
            for (int s = 0; s < inFlight; s++) {
                slots[s] = new Slot(this);
            }
        }

        /** Called by a completion handler, on a pool thread: the read of block finished with bytes (or -1). */
        abstract void handOver(long block, long bytes);

        /** Reserves the hand-over of one read before it is issued; false if the pass is ending. */
        abstract boolean reserve() throws InterruptedException;

        /** A reaper's loop: take finished reads and give each to {@link #process} until the pass ends. */
        abstract void reap() throws InterruptedException;

        /** Tells the reapers to stop once what is in flight is taken; called once, by {@link #end}. */
        abstract void finish();

        /** Ends the pass: after the last block, or at the first failure. */
        final void end() {
            if (ended.compareAndSet(false, true)) {
                finish();
            }
        }

        abstract String stats();

        /** Issues the first read of every slot, starts the reapers and waits for them (or for a stall). */
        void run() throws InterruptedException, Failure {
            for (int s = 0; s < inFlight; s++) {
                if (!reserve()) {
                    throw new Failure(name + ": could not reserve the first reads");
                }
                read(s);
            }
            final Thread[] threads = new Thread[reapers];
            for (int r = 0; r < reapers; r++) {
                threads[r] = new Thread(() -> {
                    try {
                        reap();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, name + "-reaper-" + r);
                threads[r].setDaemon(true);
                threads[r].start();
            }
            int lastDone = -1;
            long lastProgress = System.nanoTime();
            for (Thread t : threads) {
                while (t.isAlive()) {
                    t.join(1000);
                    final int d = done.get();
                    if (d != lastDone) {
                        lastDone = d;
                        lastProgress = System.nanoTime();
                    } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                        throw new Failure(name + ": stalled: no block for " + STALL_SECONDS + " s, " + d + " of "
                                + blocks + " blocks done; " + stats());
                    }
                }
            }
            if (failure.get() != null) {
                throw new Failure(name + ": the pass ended at a failed read: " + failure.get());
            }
            if (done.get() != blocks) {
                throw new Failure(name + ": the reapers stopped after " + done.get() + " of " + blocks + " blocks");
            }
        }

        /** Issues the read of block into its slot's buffer; its handler hands it over when it is complete. */
        void read(long block) {
            final Slot slot = slots[(int) (block % inFlight)];
            slot.block = block;
            slot.buffer.clear().limit(expectedBytes(block));
            channel.read(slot.buffer, block * BLOCK, null, slot);
        }

        int expectedBytes(long block) {
            return (int) Math.min(BLOCK, size - block * BLOCK);
        }

        /** A reaper's work on one finished read: check it, checksum the block, issue its slot's next read. */
        void process(long block, long bytes, CRC32C crc) throws InterruptedException {
            final Slot slot = slots[(int) (block % inFlight)];
            if (bytes != expectedBytes(block)) {
                final String why = bytes < 0 ? "failed: " + slot.error
                        : "returned " + bytes + " bytes of " + expectedBytes(block) + " (did the file shrink?)";
                final String what = "the read of block " + block + " (offset " + block * BLOCK + ") " + why;
                if (failure.compareAndSet(null, what)) {
                    System.err.println("FileReadDemo: " + Thread.currentThread().getName() + ": " + what);
                }
                end();
                return;
            }
            final ByteBuffer buffer = slot.buffer;
            buffer.flip();
            crc.reset();
            crc.update(buffer);
            crcs[(int) block] = (int) crc.getValue();
            if (done.incrementAndGet() == blocks) {
                end();
                return;
            }
            final long next = block + inFlight;
            if (next < blocks && failure.get() == null && reserve()) {
                read(next);
            }
        }
    }

    /**
     * One in-flight read: its buffer (reused for every block of the slot) and its completion handler. The reaper
     * writes block and the buffer's bounds before it issues the read (the executor's hand-off orders them before the
     * handler); the handler's writes reach the reaper through the hand-over (the ring's complete/getEvents, or the
     * queue).
     */
    static final class Slot implements CompletionHandler<Integer, Void> {
        final Pipeline pipeline;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(BLOCK);
        long block;
        Throwable error;

        Slot(Pipeline pipeline) {
            this.pipeline = pipeline;
        }

        @Override
        public void completed(Integer n, Void unused) {
            if (n > 0 && buffer.hasRemaining()) {           // a short read: read the rest of the block
                pipeline.channel.read(buffer, block * BLOCK + buffer.position(), null, this);
                return;
            }
            pipeline.handOver(block, buffer.position());
        }

        @Override
        public void failed(Throwable e, Void unused) {
            error = e;
            pipeline.handOver(block, -1);
        }
    }

    /** The handlers complete into a multi-producer ring; reapers in getEvents(1, 64). */
    static final class RingPipeline extends Pipeline {
        final CompletionRing ring;

        RingPipeline(Options o, AsynchronousFileChannel channel, long size, int blocks) {
            super("ring", o, channel, size, blocks);
            this.ring = CompletionRing.builder().capacity(inFlight).multiProducer(true).build();
        }

        @Override
        void handOver(long block, long bytes) {
            ring.complete(block, bytes);                    // concurrently, from any of the pool's threads
        }

        @Override
        boolean reserve() throws InterruptedException {
            try {
                ring.submit();                              // never waits: the capacity is at least inFlight
                return true;
            } catch (RingClosedException e) {
                return false;                               // a failure closed the ring: issue nothing more
            }
        }

        @Override
        void reap() throws InterruptedException {
            final CompletionEvent[] events = CompletionEvent.newArray(64);
            final CRC32C crc = new CRC32C();
            int n;
            while ((n = ring.getEvents(1, events.length, events, 1, TimeUnit.SECONDS)) != -1) {
                for (int i = 0; i < n; i++) {
                    process(events[i].userData(), events[i].result(), crc);
                }
            }
        }

        @Override
        void finish() {
            ring.close();                                   // reapers drain what is in flight, then get -1
        }

        @Override
        String stats() {
            final RingStats s = ring.stats();
            return String.format(Locale.ROOT, "ring: %,d events, %,d parks, %,d unparks, %,d timeouts", s.reaped(),
                    s.parks(), s.unparks(), s.timeouts());
        }
    }

    /** The comparison: the handlers put each result into an ArrayBlockingQueue; reapers take() one at a time. */
    static final class QueuePipeline extends Pipeline {
        /** A finished read, as a queue must carry it: one object per read. */
        record Read(long block, long bytes) {
        }

        static final Read STOP = new Read(-1, -1);

        final ArrayBlockingQueue<Read> queue;
        final AtomicLong reads = new AtomicLong();

        QueuePipeline(Options o, AsynchronousFileChannel channel, long size, int blocks) {
            super("ArrayBlockingQueue", o, channel, size, blocks);
            this.queue = new ArrayBlockingQueue<>(inFlight + reapers);  // room for every read and every STOP
        }

        @Override
        void handOver(long block, long bytes) {
            queue.add(new Read(block, bytes));              // never full: at most inFlight reads are outstanding
        }

        @Override
        boolean reserve() {
            reads.incrementAndGet();
            return true;
        }

        @Override
        void reap() throws InterruptedException {
            final CRC32C crc = new CRC32C();
            for (Read r; (r = queue.take()) != STOP; ) {
                process(r.block(), r.bytes(), crc);
            }
        }

        @Override
        void finish() {
            for (int i = 0; i < reapers; i++) {
                queue.add(STOP);
            }
        }

        @Override
        String stats() {
            return String.format(Locale.ROOT, "queue: %,d reads", reads.get());
        }
    }

    static ThreadFactory daemons(String prefix) {
        final AtomicInteger n = new AtomicInteger();
        return r -> {
            final Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
