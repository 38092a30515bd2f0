package io.completionring.uring;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

/**
 * Reads every 4 KiB block of a file once, in random order, with 64 reads in flight, and two reaper threads that
 * take the completions from a {@link CompletionRing}, checksum each block and issue the next read. Two backends do
 * the reads, side by side:
 * <ul>
 *   <li>{@code uring}: a {@link UringReader}; its driver thread submits the reads to io_uring in batches and
 *       completes them into the ring;
 *   <li>{@code async}: an {@code AsynchronousFileChannel} (its default thread pool), whose completion handlers
 *       complete into a multi-producer ring.
 * </ul>
 * Each pass must produce the checksum of a plain sequential read of the file.
 *
 * <pre>
 * uring/run.sh UringDemo [--direct] [--backend uring|async] [--size-mb N | --file PATH] [--passes N]
 * </pre>
 *
 * <p>Defaults: both backends where io_uring is supported (else async alone, and the reason is printed), through the
 * page cache, a temporary file of 256 MiB of pseudo-random data (deleted at the end), 3 passes per backend in
 * alternation, the median reported. {@code --direct} opens the file with O_DIRECT for both backends: no page cache,
 * the device does every read, and the reads in flight are the whole point. Exit status: 0 when every checksum
 * matches, 1 on a mismatch or a failed read, 2 on bad flags.
 */
public final class UringDemo {

    static final int BLOCK = 4096;
    static final int IN_FLIGHT = 64;
    static final int REAPERS = 2;

    private UringDemo() {
    }

    /** One way to issue a read whose completion lands in the ring: userData is the block number. */
    interface Backend extends AutoCloseable {
        void read(long block, ByteBuffer buffer) throws InterruptedException;

        @Override
        void close() throws IOException;
    }

    /** io_uring: the reader's driver completes each read into the ring (a single-producer ring: it is the producer). */
    static Backend uring(CompletionRing ring, Path path, boolean direct) throws IOException {
        final UringReader reader = UringReader.open(ring, IN_FLIGHT);
        final UringFile file = reader.openFile(path, direct);
        return new Backend() {
            public void read(long block, ByteBuffer buffer) throws InterruptedException {
                reader.read(file, block * BLOCK, buffer, block);   // reserves the ring slot, queues the read
            }

            public void close() throws IOException {
                reader.close();
                file.close();
            }
        };
    }

    /** AsynchronousFileChannel: its pool threads run the handler, which completes into a multi-producer ring. */
    static Backend async(CompletionRing ring, Path path, boolean direct) throws IOException {
        final Set<OpenOption> options = direct ? Set.of(StandardOpenOption.READ, ExtendedOpenOption.DIRECT)
                : Set.of(StandardOpenOption.READ);
        final AsynchronousFileChannel channel = AsynchronousFileChannel.open(path, options, null);
        final CompletionHandler<Integer, Long> handler = new CompletionHandler<>() {
            public void completed(Integer bytes, Long block) {
                ring.complete(block, bytes);
            }

            public void failed(Throwable e, Long block) {
                ring.complete(block, -1);
            }
        };
        return new Backend() {
            public void read(long block, ByteBuffer buffer) throws InterruptedException {
                ring.submit();                              // reserve the completion slot, then issue the read
                channel.read(buffer.clear(), block * BLOCK, block, handler);
            }

            public void close() throws IOException {
                channel.close();
            }
        };
    }

    record Pass(double readsPerSecond, double cpuMicrosPerRead, long checksum) {
    }

    /** Reads every block once in a random order through backend; returns the rate and the checksum. */
    static Pass pass(String backendName, Path path, boolean direct, long seed) throws Exception {
        final int blocks = (int) (Files.size(path) / BLOCK);
        final int[] order = permutation(blocks, seed);
        final CompletionRing ring = CompletionRing.builder().capacity(2 * IN_FLIGHT)
                .multiProducer(backendName.equals("async")).build();
        final ByteBuffer[] buffers = new ByteBuffer[IN_FLIGHT];
        for (int s = 0; s < IN_FLIGHT; s++) {
            buffers[s] = ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).limit(BLOCK);
        }
        // Which buffer holds a block: the slot that issued it; a reaper finds it from the block number.
        final int[] slotOfBlock = new int[blocks];
        final AtomicInteger next = new AtomicInteger();
        final AtomicLong checksum = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long cpu0 = UringBench.processCpuTicks();
        final long t0 = System.nanoTime();
        try (Backend backend = backendName.equals("uring") ? uring(ring, path, direct) : async(ring, path, direct)) {
            final List<Thread> reapers = new ArrayList<>();
            for (int r = 0; r < REAPERS; r++) {
                reapers.add(Thread.ofPlatform().name("reaper-" + r).start(() -> {
                    final CompletionEvent[] events = CompletionEvent.newArray(32);
                    final CRC32C crc = new CRC32C();
                    try {
                        int n;
                        while ((n = ring.getEvents(1, events.length, events)) != -1) {
                            for (int i = 0; i < n; i++) {
                                final long block = events[i].userData();
                                if (events[i].result() != BLOCK) {
                                    throw new IOException("read of block " + block + ": " + events[i].result());
                                }
                                final int slot = slotOfBlock[(int) block];
                                crc.reset();
                                crc.update(buffers[slot].duplicate().clear().limit(BLOCK));
                                checksum.addAndGet(mixBlock(block, crc.getValue()));
                                issueNext(backend, ring, next, order, slot, slotOfBlock, buffers);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        ring.close();
                    }
                }));
            }
            for (int s = 0; s < IN_FLIGHT; s++) {
                issueNext(backend, ring, next, order, s, slotOfBlock, buffers);
            }
            for (Thread t : reapers) {
                t.join();
            }
        }
        final long t1 = System.nanoTime();
        final long cpu1 = UringBench.processCpuTicks();
        if (failure.get() != null) {
            throw new IllegalStateException(backendName + " failed", failure.get());
        }
        return new Pass(blocks * 1e9 / (t1 - t0), (cpu1 - cpu0) * (1e6 / UringBench.CLOCK_TICKS) / blocks,
                checksum.get());
    }

    /**
     * Issues the next block of the order into slot's buffer; past the last block the slot retires instead, and the
     * reaper that retires the last slot closes the ring: every block has been read, and both reapers get -1.
     */
    static void issueNext(Backend backend, CompletionRing ring, AtomicInteger next, int[] order, int slot,
                          int[] slotOfBlock, ByteBuffer[] buffers) throws InterruptedException {
        final int k = next.getAndIncrement();
        if (k < order.length) {
            slotOfBlock[order[k]] = slot;
            backend.read(order[k], buffers[slot]);
        } else if (k == order.length + IN_FLIGHT - 1) {
            ring.close();
        }
    }

    static long mixBlock(long block, long crc) {
        return UringBench.mix(block * 0x9E3779B97F4A7C15L ^ crc);
    }

    static int[] permutation(int n, long seed) {
        final int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** The checksum of a plain sequential read: the same sum of mixBlock(block, crc) over every block. */
    static long referenceChecksum(Path path) throws IOException {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(BLOCK);
        final CRC32C crc = new CRC32C();
        long sum = 0;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            for (long block = 0; channel.read(buffer.clear(), block * BLOCK) == BLOCK; block++) {
                crc.reset();
                crc.update(buffer.flip());
                sum += mixBlock(block, crc.getValue());
            }
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        boolean direct = false;
        String backend = null;
        int sizeMb = 256;
        Path file = null;
        int passes = 3;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--direct" -> direct = true;
                    case "--backend" -> backend = args[++i];
                    case "--size-mb" -> sizeMb = Integer.parseInt(args[++i]);
                    case "--file" -> file = Path.of(args[++i]);
                    case "--passes" -> passes = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown flag " + args[i]);
                }
            }
            if (backend != null && !backend.equals("uring") && !backend.equals("async")) {
                throw new IllegalArgumentException("--backend must be uring or async, was " + backend);
            }
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: UringDemo [--direct] [--backend uring|async] [--size-mb N | --file PATH]"
                    + " [--passes N]");
            System.exit(2);
        }
        final List<String> backends = new ArrayList<>();
        if (backend == null || backend.equals("uring")) {
            if (UringReader.isSupported()) {
                backends.add("uring");
            } else {
                System.out.println("io_uring is not available here: " + UringReader.unsupportedReason());
                System.out.println("Falling back to the async backend (AsynchronousFileChannel).");
            }
        }
        if (backend == null || backend.equals("async") || backends.isEmpty()) {
            backends.add("async");
        }
        final boolean temporary = file == null;
        final Path path = temporary ? Files.createTempFile("uring-demo", ".dat") : file;
        try {
            if (temporary) {
                UringBench.prepareFile(path, sizeMb);
            }
            final long reference = referenceChecksum(path);
            System.out.printf(Locale.ROOT, "UringDemo: every 4 KiB block of %s (%d MiB) once, in random order, %s,"
                            + " %d reads in flight, %d reapers checksumming each block; JDK %s%n", path,
                    Files.size(path) >> 20, direct ? "direct I/O (O_DIRECT)" : "through the page cache",
                    IN_FLIGHT, REAPERS, Runtime.version());
            final double[][] rates = new double[backends.size()][passes];
            final double[][] cpu = new double[backends.size()][passes];
            boolean ok = true;
            for (int p = 0; p < passes; p++) {
                for (int b = 0; b < backends.size(); b++) {
                    final Pass pass = pass(backends.get(b), path, direct, p);
                    rates[b][p] = pass.readsPerSecond();
                    cpu[b][p] = pass.cpuMicrosPerRead();
                    final boolean match = pass.checksum() == reference;
                    ok &= match;
                    System.out.printf(Locale.ROOT, "  pass %d %-5s %9.0f reads/s %7.2f us CPU/read  checksum %s%n",
                            p + 1, backends.get(b), pass.readsPerSecond(), pass.cpuMicrosPerRead(),
                            match ? "ok" : "MISMATCH");
                }
            }
            System.out.printf(Locale.ROOT, "%-8s %12s %10s %14s%n", "backend", "reads/s", "MiB/s", "us CPU/read");
            for (int b = 0; b < backends.size(); b++) {
                final double r = median(rates[b]);
                System.out.printf(Locale.ROOT, "%-8s %,12.0f %10.1f %14.2f%n", backends.get(b), r,
                        r * BLOCK / (1 << 20), median(cpu[b]));
            }
            if (backends.size() == 2) {
                System.out.printf(Locale.ROOT, "uring against async: %.2fx the reads per second at %.2fx the CPU per"
                        + " read (medians of %d passes)%n", median(rates[0]) / median(rates[1]),
                        median(cpu[0]) / median(cpu[1]), passes);
            }
            if (!ok) {
                System.out.println("a checksum did not match the sequential read");
                System.exit(1);
            }
        } finally {
            if (temporary) {
                Files.deleteIfExists(path);
            }
        }
    }

    static double median(double[] values) {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
