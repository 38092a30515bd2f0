package io.completionring.uring;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The benchmark behind the performance targets of issue 18: 4 KiB random reads from a large file, a fixed number of
 * reads in flight (the depth), two reaper threads that take the completions from a ring, check every byte of each
 * block, and issue the next read. Only the I/O path differs between contenders; each completes into a ring:
 * <ul>
 *   <li>{@code uring}: a {@link UringReader} (single-producer ring; queueDepth = depth);
 *   <li>{@code afc-default}, {@code afc-2}, {@code afc-64}: an {@code AsynchronousFileChannel} on its default pool,
 *       on a fixed pool of 2 and of 64 threads; the handler calls {@code complete} (multi-producer ring);
 *   <li>{@code vt-64}: 64 virtual threads (a fixed pool of them) doing {@code FileChannel.read}, then {@code
 *       complete} (multi-producer ring);
 *   <li>{@code caller}: one thread of its own does {@code FileChannel.read} and completes; the reapers hand it the
 *       next request through a second ring, and it stamps the start just before its read, so the latency is the
 *       read on the calling thread plus one ring hand-off (the depth-1 reference).
 * </ul>
 * Reported per (mode, depth, contender): reads/s, process CPU per read (user + system of all threads, from {@code
 * /proc/self/stat}), and p50/p99 from just before the read is issued to the return of the reaper's {@code
 * getEvents}. Contenders are interleaved in rounds; the summary gives medians and ranges over rounds, and the
 * uring/best-other ratios per round.
 *
 * <pre>
 * uring/run.sh UringBench [--file PATH] [--size-mb N] [--modes direct,cached] [--depths 1,16,64,256]
 *     [--contenders uring,afc-default,afc-2,afc-64,vt-64,caller] [--rounds N] [--warmup-s S] [--measure-s S]
 * </pre>
 * The file is created with a checkable pattern if it does not exist (and kept for later runs). Through the page cache
 * ({@code cached}), the whole file is read once before each measurement, so that every contender starts with it
 * resident.
 */
public final class UringBench {

    private UringBench() {
    }

    static final int BLOCK = 4096;
    static final int MAX_REAPERS = 8;

    /** check: whether the reapers check each block (the issue's benchmark does; off only to diagnose). */
    record Config(Path file, int sizeMb, List<String> modes, int[] depths, List<String> contenders, int rounds,
                  double warmupS, double measureS, boolean verbose, int[] setupFlags, boolean check, int reapers,
                  int ringSpins) {
    }

    /**
     * otherCpu: the share of the machine's CPU time (0 to 1) that other processes used meanwhile (user and system
     * time not ours); irq: interrupt time (charged to no process: our own disk completions among it); steal: time
     * the hypervisor gave to other guests.
     */
    record Result(double readsPerSecond, double cpuMicrosPerRead, double p50Micros, double p99Micros,
                  double otherCpu, double irq, double steal, String extra) {
    }

    public static void main(String[] args) throws Exception {
        final Config config = parse(args);
        prepareFile(config.file(), config.sizeMb());
        System.out.printf(Locale.ROOT, "# UringBench: %s (%d MiB), JDK %s, %d CPUs, uring supported: %s%n",
                config.file(), Files.size(config.file()) >> 20, Runtime.version(),
                Runtime.getRuntime().availableProcessors(),
                UringReader.isSupported() ? "yes" : UringReader.unsupportedReason());
        final Map<String, List<Result>> results = new LinkedHashMap<>();
        // A warm-up round, not recorded: the JIT compiles every contender's paths here, not in round 1, whose process
        // CPU would otherwise include the compiler threads'.
        for (String mode : config.modes()) {
            for (String contender : config.contenders()) {
                if (mode.equals("cached")) {
                    warmPageCache(config.file());
                }
                final Result r = run(config, contender, mode.equals("direct"), 64);
                System.out.printf(Locale.ROOT, "warm-up %-6s %-11s %9.0f reads/s%n", mode, contender,
                        r.readsPerSecond());
            }
        }
        for (int round = 1; round <= config.rounds(); round++) {
            for (String mode : config.modes()) {
                for (int depth : config.depths()) {
                    for (String contender : config.contenders()) {
                        if (mode.equals("cached")) {
                            warmPageCache(config.file());
                        }
                        final Result r = run(config, contender, mode.equals("direct"), depth);
                        System.out.printf(Locale.ROOT,
                                "round %d %-6s depth %3d %-11s %9.0f reads/s %7.2f us CPU/read p50 %8.1f us"
                                        + " p99 %8.1f us  others %3.0f%% irq %3.0f%% (%.2f us/read) steal %3.0f%%%s%n",
                                round, mode, depth, contender, r.readsPerSecond(), r.cpuMicrosPerRead(),
                                r.p50Micros(), r.p99Micros(), 100 * r.otherCpu(), 100 * r.irq(),
                                r.irq() * Runtime.getRuntime().availableProcessors() * 1e6 / r.readsPerSecond(),
                                100 * r.steal(),
                                config.verbose() ? "  " + r.extra() : "");
                        results.computeIfAbsent(mode + " " + depth + " " + contender, k -> new ArrayList<>()).add(r);
                    }
                }
            }
        }
        summarize(config, results);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // One measurement.

    /** The I/O path of a contender: issue the read of block at position into slot's buffer; it completes into ring. */
    interface Contender extends AutoCloseable {
        void issue(int slot, long position, ByteBuffer buffer, long userData) throws Exception;

        @Override
        void close() throws IOException;

        default String extra() {
            return "";
        }

        /** The CPU time of the I/O path's own thread (nanoseconds), if it has one; else 0. */
        default long threadCpuNanos() {
            return 0;
        }

        /** Reads queued inside the I/O path and not yet issued to the kernel, if it can say; else 0. */
        default int queued() {
            return 0;
        }
    }

    static Result run(Config config, String name, boolean direct, int depth) throws Exception {
        final long blocks = Files.size(config.file()) / BLOCK;
        final boolean multiProducer = !name.startsWith("uring");
        final int capacity = Math.max(64, Integer.highestOneBit(depth * 2 - 1) * 2);
        final CompletionRing.Builder builder = CompletionRing.builder().capacity(capacity)
                .multiProducer(multiProducer);
        if (config.ringSpins() >= 0) {
            builder.spinBudget(config.ringSpins());         // diagnosis only: the ring's default wait policy otherwise
        }
        final CompletionRing ring = builder.build();
        final ByteBuffer[] buffers = new ByteBuffer[depth];
        for (int s = 0; s < depth; s++) {
            buffers[s] = ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).limit(BLOCK)
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
        final long[] startNanos = new long[depth];
        final Contender contender = open(config, name, direct, depth, ring, buffers, startNanos);
        final int reaperCount = config.reapers();
        final AtomicLongArray reads = new AtomicLongArray(MAX_REAPERS * 16);   // one padded counter per reaper
        final AtomicInteger retired = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Phase phase = new Phase();
        final long[][] latencies = new long[reaperCount][1 << 22];
        final int[] latencyCount = new int[reaperCount];
        final Thread[] reapers = new Thread[reaperCount];
        for (int r = 0; r < reaperCount; r++) {
            final int me = r;
            reapers[r] = new Thread(() -> {
                final CompletionEvent[] events = CompletionEvent.newArray(64);
                final SplittableRandom random = new SplittableRandom(0x5EED + me);
                final long[] myLatencies = latencies[me];
                int count = 0;
                try {
                    int n;
                    while ((n = ring.getEvents(1, events.length, events)) != -1) {
                        final long now = System.nanoTime();
                        final boolean measuring = phase.measuring;
                        for (int i = 0; i < n; i++) {
                            final long userData = events[i].userData();
                            final int slot = (int) (userData & 0xFFFF);
                            final long block = userData >>> 16;
                            if (events[i].result() != BLOCK) {
                                throw new IllegalStateException("read of block " + block + " returned "
                                        + events[i].result());
                            }
                            if (config.check()) {
                                check(buffers[slot], block);
                            }
                            if (measuring && count < myLatencies.length) {
                                myLatencies[count++] = now - startNanos[slot];
                            }
                            reads.lazySet(me * 16, reads.get(me * 16) + 1);
                            if (phase.running) {
                                final long next = random.nextLong(blocks);
                                startNanos[slot] = System.nanoTime();
                                contender.issue(slot, next * BLOCK, buffers[slot], next << 16 | slot);
                            } else if (retired.incrementAndGet() == depth) {
                                ring.close();               // every slot retired: the reapers drain and get -1
                            }
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    ring.close();
                }
                latencyCount[me] = count;
            }, "reaper-" + r);
            reapers[r].start();
        }
        final SplittableRandom random = new SplittableRandom(42);
        for (int s = 0; s < depth; s++) {
            final long block = random.nextLong(blocks);
            startNanos[s] = System.nanoTime();
            contender.issue(s, block * BLOCK, buffers[s], block << 16 | s);
        }
        Thread.sleep((long) (config.warmupS() * 1000));
        final long reads0 = total(reads);
        final long cpu0 = processCpuTicks();
        final long[] machine0 = machineTicks();
        final long driverCpu0 = contender.threadCpuNanos();
        final long t0 = System.nanoTime();
        phase.measuring = true;
        // Where the reads are, sampled every millisecond: completed and not yet taken by a reaper (ready), reserved
        // and not yet completed (inFlight: queued or in the kernel), and the rest, in a reaper's hands.
        long samples = 0;
        long readySum = 0;
        long inFlightSum = 0;
        long queuedSum = 0;
        final long measureEnd = t0 + (long) (config.measureS() * 1e9);
        while (System.nanoTime() < measureEnd) {
            Thread.sleep(1);
            readySum += ring.ready();
            inFlightSum += ring.inFlight();
            queuedSum += contender.queued();
            samples++;
        }
        phase.measuring = false;
        final long reads1 = total(reads);
        final long cpu1 = processCpuTicks();
        final long[] machine1 = machineTicks();
        final long driverCpu1 = contender.threadCpuNanos();
        final long t1 = System.nanoTime();
        phase.running = false;
        for (Thread t : reapers) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            if (t.isAlive()) {
                throw new IllegalStateException(name + ": a reaper did not finish; in flight " + ring.inFlight());
            }
        }
        final String extra = String.format(Locale.ROOT, "where: inFlight %.1f (queued %.1f) ready %.1f reapers %.1f;"
                        + " I/O thread CPU %.0f%%; ",
                (double) inFlightSum / samples, (double) queuedSum / samples, (double) readySum / samples,
                depth - (double) (inFlightSum + readySum) / samples,
                100.0 * (driverCpu1 - driverCpu0) / (t1 - t0)) + contender.extra() + " ring " + ring.stats();
        contender.close();
        if (failure.get() != null) {
            throw new IllegalStateException(name + " failed", failure.get());
        }
        final long n = reads1 - reads0;
        final long[] all = merge(latencies, latencyCount);
        Arrays.sort(all);
        final double capacityTicks = (t1 - t0) / 1e9 * CLOCK_TICKS * Runtime.getRuntime().availableProcessors();
        return new Result(n * 1e9 / (t1 - t0), (cpu1 - cpu0) * (1e6 / CLOCK_TICKS) / n,
                percentile(all, 0.50) / 1e3, percentile(all, 0.99) / 1e3,
                Math.max(0, (machine1[0] - machine0[0]) - (cpu1 - cpu0)) / capacityTicks,
                (machine1[1] - machine0[1]) / capacityTicks, (machine1[2] - machine0[2]) / capacityTicks, extra);
    }

    /** Written by the main thread, read by the reapers. */
    static final class Phase {
        volatile boolean running = true;
        volatile boolean measuring;
    }

    static Contender open(Config config, String name, boolean direct, int depth, CompletionRing ring,
                          ByteBuffer[] buffers, long[] startNanos) throws IOException {
        final Path file = config.file();
        final Set<OpenOption> options = direct ? Set.of(StandardOpenOption.READ, ExtendedOpenOption.DIRECT)
                : Set.of(StandardOpenOption.READ);
        final String kind = name.startsWith("uring@") ? "uring" : name;
        switch (kind) {
            case "uring" -> {
                final Options uringOptions = variant(name, Options.DEFAULT.withSetupFlags(config.setupFlags()));
                final UringReader reader = UringReader.open(ring, depth, uringOptions);
                final UringFile uringFile = reader.openFile(file, direct);
                return new Contender() {
                    public void issue(int slot, long position, ByteBuffer buffer, long userData)
                            throws InterruptedException {
                        reader.read(uringFile, position, buffer, userData);
                    }

                    public int queued() {
                        return reader.driver().queuedSnapshot();
                    }

                    public long threadCpuNanos() {
                        return java.lang.management.ManagementFactory.getThreadMXBean()
                                .getThreadCpuTime(reader.driver().thread().threadId());
                    }

                    public String extra() {
                        return "flags=0x" + Integer.toHexString(reader.driver().setupFlags()) + " "
                                + reader.driver().stats();
                    }

                    public void close() throws IOException {
                        reader.close();
                        uringFile.close();
                    }
                };
            }
            case "afc-default", "afc-2", "afc-64" -> {
                final ExecutorService pool = name.equals("afc-2") ? Executors.newFixedThreadPool(2)
                        : name.equals("afc-64") ? Executors.newFixedThreadPool(64) : null;
                final AsynchronousFileChannel channel = AsynchronousFileChannel.open(file, options, pool);
                final CompletionHandler<Integer, Long> handler = new CompletionHandler<>() {
                    public void completed(Integer bytes, Long userData) {
                        ring.complete(userData, bytes);
                    }

                    public void failed(Throwable e, Long userData) {
                        ring.complete(userData, -1);
                    }
                };
                return new Contender() {
                    public void issue(int slot, long position, ByteBuffer buffer, long userData)
                            throws InterruptedException {
                        ring.submit();
                        channel.read(buffer.clear().limit(BLOCK), position, userData, handler);
                    }

                    public void close() throws IOException {
                        channel.close();
                        if (pool != null) {
                            pool.shutdown();
                        }
                    }
                };
            }
            case "vt-64" -> {
                final ExecutorService pool = Executors.newFixedThreadPool(64, Thread.ofVirtual().factory());
                final FileChannel channel = FileChannel.open(file, options);
                return new Contender() {
                    public void issue(int slot, long position, ByteBuffer buffer, long userData)
                            throws InterruptedException {
                        ring.submit();
                        pool.execute(() -> {
                            long result;
                            try {
                                result = channel.read(buffer.clear().limit(BLOCK), position);
                            } catch (IOException e) {
                                result = -1;
                            }
                            ring.complete(userData, result);
                        });
                    }

                    public void close() throws IOException {
                        pool.shutdown();
                        channel.close();
                    }
                };
            }
            case "caller" -> {
                // A thread of its own reads: requests reach it through a second ring (not timed), it stamps the
                // start just before FileChannel.read, and completes into the ring: read + one ring hand-off.
                final FileChannel channel = FileChannel.open(file, options);
                final CompletionRing requests = CompletionRing.builder().capacity(ring.capacity())
                        .multiProducer(true).build();
                final long[] positions = new long[depth];
                final Thread caller = new Thread(() -> {
                    final CompletionEvent[] events = CompletionEvent.newArray(64);
                    try {
                        int n;
                        while ((n = requests.getEvents(1, events.length, events)) != -1) {
                            for (int i = 0; i < n; i++) {
                                final long userData = events[i].userData();
                                final int slot = (int) (userData & 0xFFFF);
                                startNanos[slot] = System.nanoTime();
                                long result;
                                try {
                                    result = channel.read(buffers[slot].clear().limit(BLOCK), positions[slot]);
                                } catch (IOException e) {
                                    result = -1;
                                }
                                ring.submit();
                                ring.complete(userData, result);
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "caller");
                caller.start();
                return new Contender() {
                    public void issue(int slot, long position, ByteBuffer buffer, long userData)
                            throws InterruptedException {
                        positions[slot] = position;
                        requests.submit();
                        requests.complete(userData, 0);
                    }

                    public void close() throws IOException {
                        requests.close();
                        try {
                            caller.join();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        channel.close();
                    }
                };
            }
            default -> throw new IllegalArgumentException("unknown contender " + name);
        }
    }

    /**
     * A uring contender's settings: "uring", or "uring@" and settings separated by '/' to compare in the same
     * interleaved rounds: f0x3080 (io_uring_setup flags, the IORING_SETUP_* bits). Example: uring@f0x180.
     */
    static Options variant(String name, Options base) {
        Options options = base;
        if (!name.startsWith("uring@")) {
            return options;
        }
        for (String setting : name.substring("uring@".length()).split("/")) {
            final String value = setting.substring(1);
            options = switch (setting.charAt(0)) {
                case 'f' -> options.withSetupFlags(new int[] {Integer.decode(value)});
                default -> throw new IllegalArgumentException("unknown uring setting " + setting);
            };
        }
        return options;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The file: block b holds the 512 little-endian longs mix(512 b + k), k = 0 .. 511.

    static long mix(long x) {
        x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
        x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
        return x ^ (x >>> 31);
    }

    static void check(ByteBuffer buffer, long block) {
        final long base = block * (BLOCK / Long.BYTES);
        for (int k = 0; k < BLOCK / Long.BYTES; k++) {
            if (buffer.getLong(k * Long.BYTES) != mix(base + k)) {
                throw new IllegalStateException("block " + block + ": wrong bytes at word " + k);
            }
        }
    }

    static void prepareFile(Path file, int sizeMb) throws IOException {
        final long size = (long) sizeMb << 20;
        if (Files.exists(file) && Files.size(file) == size) {
            return;
        }
        System.out.printf("# writing %d MiB to %s%n", sizeMb, file);
        final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long word = 0;
            for (long written = 0; written < size; written += chunk.capacity()) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    chunk.putLong(mix(word++));
                }
                chunk.flip();
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            }
            channel.force(true);
        }
    }

    static void warmPageCache(Path file) throws IOException {
        final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long position = 0;
            int n;
            while ((n = channel.read(chunk.clear(), position)) > 0) {
                position += n;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Measurement helpers.

    /** USER_HZ: the unit of /proc/self/stat's utime and stime; 100 on every Linux built with the default. */
    static final double CLOCK_TICKS = 100.0;

    /** utime + stime of the whole process (all threads), in clock ticks. */
    static long processCpuTicks() throws IOException {
        final String stat = Files.readString(Path.of("/proc/self/stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);    // fields 14 and 15 of proc(5)
    }

    /**
     * The machine's time in clock ticks, all CPUs, from /proc/stat's "cpu user nice system idle iowait irq softirq
     * steal": {user + nice + system, irq + softirq, steal}. Interrupt time (the disk's completions among it) is
     * charged to no process, so it is reported apart from the other processes' time.
     */
    static long[] machineTicks() throws IOException {
        final String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
        final String[] f = line.trim().split("\\s+");
        return new long[] {Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]),
                Long.parseLong(f[6]) + Long.parseLong(f[7]), Long.parseLong(f[8])};
    }

    static long total(AtomicLongArray reads) {
        long sum = 0;
        for (int r = 0; r < MAX_REAPERS; r++) {
            sum += reads.get(r * 16);
        }
        return sum;
    }

    static long[] merge(long[][] parts, int[] counts) {
        int n = 0;
        for (int c : counts) {
            n += c;
        }
        final long[] all = new long[n];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            System.arraycopy(parts[i], 0, all, at, counts[i]);
            at += counts[i];
        }
        return all;
    }

    static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, p * sorted.length)];
    }

    static void summarize(Config config, Map<String, List<Result>> results) {
        System.out.println();
        System.out.println("# summary: median [min - max] over " + config.rounds() + " rounds; others: the most CPU"
                + " other processes took during a measurement, in % of the machine");
        System.out.printf(Locale.ROOT, "%-6s %5s %-11s %26s %24s %10s %10s %8s%n", "mode", "depth", "contender",
                "reads/s", "us CPU/read", "p50 us", "p99 us", "others");
        for (Map.Entry<String, List<Result>> e : results.entrySet()) {
            final String[] key = e.getKey().split(" ");
            final List<Result> rs = e.getValue();
            final double[] iops = rs.stream().mapToDouble(Result::readsPerSecond).sorted().toArray();
            final double[] cpu = rs.stream().mapToDouble(Result::cpuMicrosPerRead).sorted().toArray();
            final double[] p50 = rs.stream().mapToDouble(Result::p50Micros).sorted().toArray();
            final double[] p99 = rs.stream().mapToDouble(Result::p99Micros).sorted().toArray();
            final double others = rs.stream().mapToDouble(Result::otherCpu).max().orElse(0);
            System.out.printf(Locale.ROOT, "%-6s %5s %-11s %8.0f [%6.0f - %6.0f] %6.2f [%5.2f - %5.2f] %10.1f %10.1f"
                            + " %7.0f%%%n", key[0], key[1], key[2], median(iops), iops[0], iops[iops.length - 1],
                    median(cpu), cpu[0], cpu[cpu.length - 1], median(p50), median(p99), 100 * others);
        }
        System.out.println();
        System.out.println("# uring against the best other contender of the same round (by reads/s)");
        for (String mode : config.modes()) {
            for (int depth : config.depths()) {
                final List<Result> uring = results.get(mode + " " + depth + " uring");
                if (uring == null) {
                    continue;
                }
                final double[] iopsRatio = new double[uring.size()];
                final double[] cpuRatio = new double[uring.size()];
                final String[] best = new String[uring.size()];
                for (int round = 0; round < uring.size(); round++) {
                    double bestIops = 0;
                    double bestCpu = Double.NaN;
                    for (String c : config.contenders()) {
                        final List<Result> other = results.get(mode + " " + depth + " " + c);
                        if (c.startsWith("uring") || c.equals("caller") || other == null) {
                            continue;
                        }
                        if (other.get(round).readsPerSecond() > bestIops) {
                            bestIops = other.get(round).readsPerSecond();
                            bestCpu = other.get(round).cpuMicrosPerRead();
                            best[round] = c;
                        }
                    }
                    iopsRatio[round] = uring.get(round).readsPerSecond() / bestIops;
                    cpuRatio[round] = uring.get(round).cpuMicrosPerRead() / bestCpu;
                }
                final double[] sortedIops = iopsRatio.clone();
                final double[] sortedCpu = cpuRatio.clone();
                Arrays.sort(sortedIops);
                Arrays.sort(sortedCpu);
                System.out.printf(Locale.ROOT, "%-6s depth %3d: reads/s x%.2f [%.2f - %.2f], CPU/read x%.2f [%.2f -"
                                + " %.2f] (best other per round: %s)%n", mode, depth, median(sortedIops),
                        sortedIops[0], sortedIops[sortedIops.length - 1], median(sortedCpu), sortedCpu[0],
                        sortedCpu[sortedCpu.length - 1], String.join(",", best));
            }
        }
    }

    static double median(double[] sorted) {
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    // ---------------------------------------------------------------------------------------------------------------

    static Config parse(String[] args) {
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "uring-bench.dat");
        int sizeMb = 1024;
        List<String> modes = List.of("direct", "cached");
        int[] depths = {1, 16, 64, 256};
        List<String> contenders = List.of("uring", "afc-default", "afc-2", "afc-64", "vt-64", "caller");
        int rounds = 3;
        double warmup = 1.0;
        double measure = 3.0;
        boolean verbose = false;
        int[] setupFlags = Options.DEFAULT_SETUP_FLAGS;
        boolean check = true;
        int reapers = 2;
        int ringSpins = -1;
        for (int i = 0; i < args.length; i++) {
            final String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--file" -> file = Path.of(value);
                case "--size-mb" -> sizeMb = Integer.parseInt(value);
                case "--modes" -> modes = List.of(value.split(","));
                case "--depths" -> depths = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--contenders" -> contenders = List.of(value.split(","));
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--warmup-s" -> warmup = Double.parseDouble(value);
                case "--measure-s" -> measure = Double.parseDouble(value);
                case "--setup-flags" -> setupFlags = new int[] {Integer.decode(value)};
                case "--verbose" -> {
                    verbose = true;
                    i--;
                }
                case "--reapers" -> reapers = Integer.parseInt(value);
                case "--ring-spins" -> ringSpins = Integer.parseInt(value);
                case "--no-check" -> {
                    check = false;
                    i--;
                }
                default -> throw new IllegalArgumentException("unknown flag " + args[i]);
            }
            i++;
        }
        return new Config(file, sizeMb, modes, depths, contenders, rounds, warmup, measure, verbose, setupFlags,
                check, Math.min(reapers, MAX_REAPERS), ringSpins);
    }
}
