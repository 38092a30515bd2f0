package io.completionring.bench;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import io.completionring.RingStats;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The demo: one completion thread feeds a ring, reaper threads take the completions in {@code getEvents} until it
 * returns -1, and the same workload runs through an {@code ArrayBlockingQueue}; the two alternate, run after run, in
 * one JVM, and the summary compares their medians. Every event is checked: each must arrive exactly once and with
 * the result it was completed with (lost, duplicated and torn counts must be 0; the exit code is 1 otherwise). A
 * second phase measures the wake-up latency, from {@code complete} to a parked reaper returning with the event, for
 * both.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.completionring.bench.Demo [--reapers N] [--events N] [--capacity N]
 *      [--batch N] [--runs N] [--rounds N] [--spin-budget N]
 * </pre>
 *
 * <p>Defaults: 2 reapers, 40,000,000 events per side split over 5 alternating runs (after a warm-up run of each that
 * is not counted), capacity 1024, batch 1 (per-event {@code trySubmit}/{@code submit} + {@code complete}, reapers in
 * {@code getEvents(1, 64)}), latency rounds {@code min(20,000, events / 100)}, the ring's default wait policy.
 *
 * <p>Why alternating runs and medians: with three busy threads on two cores, the scheduler decides which two share a
 * core, and a run's throughput depends on that as much as on the code; one long run per side compares two draws of
 * the scheduler. Alternating runs in one JVM expose both sides to the same conditions, and the median of five
 * ignores the odd draw.
 */
public final class Demo {

    static final String USAGE = "usage: Demo [--reapers 1..64] [--events 1..500000000] [--capacity 1..1073741824]"
            + " [--batch 1..capacity] [--runs 1..100] [--rounds 0..1000000] [--spin-budget 0..1000000000]";

    /** The settings, from the command line. */
    record Options(int reapers, long events, int capacity, int batch, int runs, int rounds, int spinBudget) {
        static final Options DEFAULT = new Options(2, 40_000_000, 1024, 1, 5, 20_000, -1);

        /** The events of one throughput run. */
        long eventsPerRun() {
            return Math.max(1, events / runs);
        }

        /** A ring with these options; spinBudget -1 keeps the ring's default. */
        CompletionRing newRing() {
            final CompletionRing.Builder b = CompletionRing.builder().capacity(capacity);
            if (spinBudget >= 0) {
                b.spinBudget(spinBudget);
            }
            return b.build();
        }
    }

    /** The result the producer completes each userData with; a reaper that sees another pair saw a torn event. */
    static long resultOf(long userData) {
        return userData * 0x9E3779B97F4A7C15L + 1;
    }

    /** What one throughput run saw; cpuNanos is the CPU time of all its threads, parks the ring's (0 for ABQ). */
    record Run(long moved, double seconds, long lost, long duplicated, long torn, long cpuNanos, long parks) {
        double perSecond() {
            return moved / seconds;
        }

        double cpuPerEvent() {
            return (double) cpuNanos / moved;
        }

        boolean intact(long events) {
            return lost == 0 && duplicated == 0 && torn == 0 && moved == events;
        }
    }

    /** Wake-up latencies of one latency run, in nanoseconds, sorted. */
    record Latency(long[] sorted) {
        double percentileMicros(double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            final int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1);
            return sorted[Math.max(0, i)] / 1000.0;
        }
    }

    /**
     * The events one reaper saw, as a bit per userData (plain writes: each reaper owns its own set), and the count
     * of torn pairs.
     */
    static final class Seen {
        final long[] bits;
        long count;
        long torn;

        Seen(long events) {
            bits = new long[(int) ((events + 63) >>> 6)];
        }

        void record(long userData, long result) {
            if (userData < 0 || userData >= (long) bits.length << 6 || result != resultOf(userData)) {
                torn++;
                return;
            }
            bits[(int) (userData >>> 6)] |= 1L << userData;
            count++;
        }
    }

    /** Merges the reapers' sets: an event seen twice is duplicated, one nobody saw is lost. */
    static Run verify(Seen[] seen, long events, long moved, double seconds, long cpuNanos, long parks) {
        final int words = seen[0].bits.length;
        long duplicated = 0;
        long received = 0;
        long torn = 0;
        for (Seen s : seen) {
            torn += s.torn;
        }
        for (int w = 0; w < words; w++) {
            long all = 0;
            for (Seen s : seen) {
                duplicated += Long.bitCount(all & s.bits[w]);
                all |= s.bits[w];
            }
            received += Long.bitCount(all);
        }
        // A userData seen twice by the same reaper sets its bit once: the per-reaper counts catch that.
        long counted = 0;
        for (Seen s : seen) {
            counted += s.count;
        }
        duplicated = Math.max(duplicated, counted - received);
        return new Run(moved, seconds, events - received, duplicated, torn, cpuNanos, parks);
    }

    // ---------------------------------------------------------------------------------------------------------------

    public static void main(String[] args) throws InterruptedException {
        final Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "; " + USAGE);
            System.exit(2);
            return;
        }
        if (o == null) {
            System.out.println(USAGE);
            return;
        }
        System.out.printf(Locale.ROOT, "completion-ring demo: 1 completion thread -> %d reaper thread%s, %,d events"
                        + " per side in %d alternating runs, capacity %d, batch %d, spin budget %s; %d processors,"
                        + " Java %s%n%n", o.reapers(), o.reapers() == 1 ? "" : "s", o.events(), o.runs(),
                o.capacity(), o.batch(), o.spinBudget() < 0 ? "default" : String.valueOf(o.spinBudget()),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        final Options warmUp = new Options(o.reapers(), Math.min(o.eventsPerRun(), 2_000_000), o.capacity(),
                Math.min(o.batch(), o.capacity()), 1, 0, o.spinBudget());
        final boolean warmUpIntact = ringThroughput(warmUp, "warm-up").intact(warmUp.events())
                & abqThroughput(warmUp, "warm-up").intact(warmUp.events());
        final Run[] ring = new Run[o.runs()];
        final Run[] abq = new Run[o.runs()];
        for (int r = 0; r < o.runs(); r++) {
            ring[r] = ringThroughput(o, "run " + (r + 1));
            abq[r] = abqThroughput(o, "run " + (r + 1));
        }
        final Latency ringLatency = ringLatency(o);
        final Latency abqLatency = abqLatency(o);

        final Summary ringSummary = Summary.of(ring);
        final Summary abqSummary = Summary.of(abq);
        final double[] ratios = new double[o.runs()];
        for (int r = 0; r < ratios.length; r++) {
            ratios[r] = ring[r].perSecond() / abq[r].perSecond();
        }
        Arrays.sort(ratios);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-40s %22s %22s%n", "", "CompletionRing", "ArrayBlockingQueue");
        System.out.printf(Locale.ROOT, "%-40s %,22d %,22d%n", "events moved (all runs)", ringSummary.moved,
                abqSummary.moved);
        System.out.printf(Locale.ROOT, "%-40s %22s %22s%n", "events/s, median (min-max) of " + o.runs() + " runs",
                ringSummary.rate(), abqSummary.rate());
        System.out.printf(Locale.ROOT, "%-40s %19.1f ns %19.1f ns%n", "CPU time per event (all threads), median",
                ringSummary.cpuPerEvent, abqSummary.cpuPerEvent);
        System.out.printf(Locale.ROOT, "%-40s %22.5f %22s%n", "parks per event", ringSummary.parksPerEvent, "-");
        System.out.printf(Locale.ROOT, "%-40s %19.1f us %19.1f us%n", "wake-up latency p50 (complete->reaper)",
                ringLatency.percentileMicros(50), abqLatency.percentileMicros(50));
        System.out.printf(Locale.ROOT, "%-40s %19.1f us %19.1f us%n", "wake-up latency p99",
                ringLatency.percentileMicros(99), abqLatency.percentileMicros(99));
        System.out.printf(Locale.ROOT, "%-40s %22s %22s%n", "lost / duplicated / torn", ringSummary.damage(),
                abqSummary.damage());
        System.out.printf(Locale.ROOT, "%nring / ArrayBlockingQueue: %.2fx the events/s (median of %d alternating runs;"
                        + " per-run ratios %.2f-%.2f), %.2fx the CPU time per event%n",
                ringSummary.medianRate / abqSummary.medianRate, o.runs(), ratios[0], ratios[ratios.length - 1],
                ringSummary.cpuPerEvent / abqSummary.cpuPerEvent);

        boolean ok = warmUpIntact;
        for (int r = 0; r < o.runs(); r++) {
            ok &= ring[r].intact(o.eventsPerRun()) && abq[r].intact(o.eventsPerRun());
        }
        if (!ok) {
            System.out.println("FAILED: events were lost, duplicated or torn");
            System.exit(1);
        }
        System.out.println("OK: every event delivered exactly once, intact");
    }

    /** Medians over the runs of one side. */
    record Summary(long moved, double medianRate, double minRate, double maxRate, double cpuPerEvent,
                   double parksPerEvent, long lost, long duplicated, long torn) {
        static Summary of(Run[] runs) {
            final double[] rates = Arrays.stream(runs).mapToDouble(Run::perSecond).sorted().toArray();
            final double[] cpu = Arrays.stream(runs).mapToDouble(Run::cpuPerEvent).sorted().toArray();
            final double[] parks = Arrays.stream(runs).mapToDouble(r -> (double) r.parks() / r.moved()).sorted()
                    .toArray();
            return new Summary(Arrays.stream(runs).mapToLong(Run::moved).sum(), median(rates), rates[0],
                    rates[rates.length - 1], median(cpu), median(parks), Arrays.stream(runs).mapToLong(Run::lost).sum(),
                    Arrays.stream(runs).mapToLong(Run::duplicated).sum(), Arrays.stream(runs).mapToLong(Run::torn).sum());
        }

        String rate() {
            return String.format(Locale.ROOT, "%.2f M (%.2f-%.2f)", medianRate / 1e6, minRate / 1e6, maxRate / 1e6);
        }

        String damage() {
            return lost + " / " + duplicated + " / " + torn;
        }
    }

    /** The median of sorted values (the mean of the middle two for an even count). */
    static double median(double[] sorted) {
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Parses the flags; returns null for --help. */
    static Options parse(String[] args) {
        int reapers = Options.DEFAULT.reapers();
        long events = Options.DEFAULT.events();
        int capacity = Options.DEFAULT.capacity();
        int batch = Options.DEFAULT.batch();
        int runs = Options.DEFAULT.runs();
        int rounds = -1;
        int spinBudget = Options.DEFAULT.spinBudget();
        boolean batchSet = false;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("-h") || flag.equals("--help")) {
                return null;
            }
            String value;
            final int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("missing value for " + flag);
            }
            switch (flag) {
                case "--reapers" -> reapers = (int) number(flag, value, 1, 64);
                case "--events" -> events = number(flag, value, 1, 500_000_000);
                case "--capacity" -> capacity = (int) number(flag, value, 1, CompletionRing.MAX_CAPACITY);
                case "--batch" -> {
                    batch = (int) number(flag, value, 1, CompletionRing.MAX_CAPACITY);
                    batchSet = true;
                }
                case "--runs" -> runs = (int) number(flag, value, 1, 100);
                case "--rounds" -> rounds = (int) number(flag, value, 0, 1_000_000);
                case "--spin-budget" -> spinBudget = (int) number(flag, value, 0, 1_000_000_000);
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }
        if (batch > capacity) {
            if (batchSet) {
                throw new IllegalArgumentException("--batch " + batch + " exceeds --capacity " + capacity);
            }
            batch = capacity;
        }
        if (rounds < 0) {
            rounds = (int) Math.min(Options.DEFAULT.rounds(), events / 100);
        }
        return new Options(reapers, events, capacity, batch, runs, rounds, spinBudget);
    }

    private static long number(String flag, String value, long min, long max) {
        final long n;
        try {
            n = Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number, was '" + value + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(flag + " must be between " + min + " and " + max + ", was " + n);
        }
        return n;
    }

    // ---- throughput ----------------------------------------------------------------------------------------------

    static Run ringThroughput(Options o, String label) throws InterruptedException {
        final CompletionRing ring = o.newRing();
        final long events = o.eventsPerRun();
        final Seen[] seen = new Seen[o.reapers()];
        final CpuClock cpu = new CpuClock(o.reapers() + 1);
        final AtomicLong moved = new AtomicLong();
        final CountDownLatch done = new CountDownLatch(o.reapers());
        final Thread[] reapers = new Thread[o.reapers()];
        for (int r = 0; r < reapers.length; r++) {
            final Seen s = seen[r] = new Seen(events);
            final int slot = r;
            reapers[r] = new Thread(() -> {
                final CompletionEvent[] got = CompletionEvent.newArray(64);
                try {
                    int n;
                    while ((n = ring.getEvents(1, got.length, got)) != -1) { // -1: closed and drained
                        for (int i = 0; i < n; i++) {
                            s.record(got[i].userData(), got[i].result());
                        }
                        moved.addAndGet(n);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    cpu.stop(slot);
                    done.countDown();
                }
            }, "ring-reaper-" + r);
        }
        final int batch = o.batch();
        final Thread producer = new Thread(() -> {
            final long[] userData = new long[batch];
            final long[] results = new long[batch];
            try {
                long next = 0;
                while (next < events) {
                    final int n = (int) Math.min(batch, events - next);
                    if (n == 1) {
                        if (!ring.trySubmit()) {
                            ring.submit();                  // full: wait for a reaper to free a slot
                        }
                        ring.complete(next, resultOf(next));
                    } else {
                        int reserved = 0;
                        while (reserved < n) {
                            if (ring.trySubmit(n - reserved)) {
                                reserved = n;
                            } else {
                                ring.submit();
                                reserved++;
                            }
                        }
                        for (int i = 0; i < n; i++) {
                            userData[i] = next + i;
                            results[i] = resultOf(next + i);
                        }
                        ring.completeAll(userData, results, 0, n);
                    }
                    next += n;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ring.close();                               // reapers drain what is left, then get -1
                cpu.stop(o.reapers());
            }
        }, "completion-thread");
        final double seconds = runAndReport("CompletionRing", label, producer, reapers, done, moved, events);
        final RingStats st = ring.stats();
        final Run run = verify(seen, events, moved.get(), seconds, cpu.total(), st.parks());
        System.out.printf(Locale.ROOT, "%-18s %-8s %,13d events in %5.2f s: %6.2f M/s, CPU %6.1f ns/event,"
                        + " %,d parks%n", "CompletionRing", label, run.moved(), seconds, run.perSecond() / 1e6,
                run.cpuPerEvent(), st.parks());
        return run;
    }

    static Run abqThroughput(Options o, String label) throws InterruptedException {
        final ArrayBlockingQueue<Completion> queue = new ArrayBlockingQueue<>(o.capacity());
        final Completion poison = new Completion(-1, -1);
        final long events = o.eventsPerRun();
        final Seen[] seen = new Seen[o.reapers()];
        final CpuClock cpu = new CpuClock(o.reapers() + 1);
        final AtomicLong moved = new AtomicLong();
        final CountDownLatch done = new CountDownLatch(o.reapers());
        final Thread[] reapers = new Thread[o.reapers()];
        for (int r = 0; r < reapers.length; r++) {
            final Seen s = seen[r] = new Seen(events);
            final int slot = r;
            reapers[r] = new Thread(() -> {
                try {
                    for (Completion c; (c = queue.take()) != poison; ) {
                        s.record(c.userData, c.result);
                        moved.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    cpu.stop(slot);
                    done.countDown();
                }
            }, "abq-reaper-" + r);
        }
        final int pills = reapers.length;
        final Thread producer = new Thread(() -> {
            try {
                for (long next = 0; next < events; next++) {
                    queue.put(new Completion(next, resultOf(next)));
                }
                for (int i = 0; i < pills; i++) {
                    queue.put(poison);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                cpu.stop(pills);
            }
        }, "abq-producer");
        final double seconds = runAndReport("ArrayBlockingQueue", label, producer, reapers, done, moved, events);
        final Run run = verify(seen, events, moved.get(), seconds, cpu.total(), 0);
        System.out.printf(Locale.ROOT, "%-18s %-8s %,13d events in %5.2f s: %6.2f M/s, CPU %6.1f ns/event%n",
                "ArrayBlockingQueue", label, run.moved(), seconds, run.perSecond() / 1e6, run.cpuPerEvent());
        return run;
    }

    /**
     * The CPU time of a run's threads: each records its own when it finishes (a finished thread's CPU time can no
     * longer be asked for).
     */
    static final class CpuClock {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private final long[] nanos;

        CpuClock(int threads) {
            nanos = new long[threads];
        }

        void stop(int thread) {
            nanos[thread] = THREADS.getCurrentThreadCpuTime();
        }

        /** The sum over the threads; read after they have been joined. */
        long total() {
            long sum = 0;
            for (long n : nanos) {
                sum += n;
            }
            return sum;
        }
    }

    /**
     * Starts the threads, prints a progress line every second (on a terminal) until the reapers are done, returns
     * seconds.
     */
    static double runAndReport(String name, String label, Thread producer, Thread[] reapers, CountDownLatch done,
                               AtomicLong moved, long events) throws InterruptedException {
        final boolean tty = System.console() != null;
        final long start = System.nanoTime();
        for (Thread t : reapers) {
            t.start();
        }
        producer.start();
        while (!done.await(tty ? 250 : 1000, TimeUnit.MILLISECONDS)) {
            if (tty) {
                final long m = moved.get();
                System.out.printf(Locale.ROOT, "\r%-18s %-8s %,13d / %,d events", name, label, m, events);
            }
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        producer.join();
        for (Thread t : reapers) {
            t.join();
        }
        if (tty) {
            System.out.print("\r");
        }
        return seconds;
    }

    // ---- wake-up latency -----------------------------------------------------------------------------------------

    /** Pause between latency rounds, long enough for the reaper to finish spinning and park. */
    static final long GAP_NANOS = 100_000;

    /**
     * One completion at a time; the reaper, parked in getEvents by then, stamps how long after the completion it got
     * the event (the producer put its nanoTime in the result) and acknowledges.
     */
    static Latency ringLatency(Options o) throws InterruptedException {
        final CompletionRing ring = o.newRing();
        final long[] samples = new long[o.rounds()];
        final AtomicLong acked = new AtomicLong(-1);
        final Thread reaper = new Thread(() -> {
            final CompletionEvent[] got = CompletionEvent.newArray(1);
            try {
                while (ring.getEvents(1, 1, got) == 1) {
                    final long latency = System.nanoTime() - got[0].result();
                    final int round = (int) got[0].userData();
                    samples[round] = latency;
                    acked.set(round);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ring-latency-reaper");
        reaper.start();
        pingRounds("CompletionRing", o.rounds(), acked, round -> {
            if (!ring.trySubmit()) {
                throw new IllegalStateException("ring full with one event in flight");
            }
            ring.complete(round, System.nanoTime());
        });
        ring.close();
        reaper.join();
        final RingStats st = ring.stats();
        System.out.printf(Locale.ROOT, "  ring stats: %d parks for %d events%n", st.parks(), st.reaped());
        Arrays.sort(samples);
        return new Latency(samples);
    }

    static Latency abqLatency(Options o) throws InterruptedException {
        final ArrayBlockingQueue<Completion> queue = new ArrayBlockingQueue<>(o.capacity());
        final long[] samples = new long[o.rounds()];
        final AtomicLong acked = new AtomicLong(-1);
        final Completion stop = new Completion(-1, -1);
        final Thread reaper = new Thread(() -> {
            try {
                for (Completion c; (c = queue.take()) != stop; ) {
                    samples[(int) c.userData] = System.nanoTime() - c.result;
                    acked.set(c.userData);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "abq-latency-reaper");
        reaper.start();
        pingRounds("ArrayBlockingQueue", o.rounds(), acked, round -> {
            if (!queue.offer(new Completion(round, System.nanoTime()))) {
                throw new IllegalStateException("queue full with one event in flight");
            }
        });
        queue.put(stop);
        reaper.join();
        Arrays.sort(samples);
        return new Latency(samples);
    }

    interface Ping {
        void send(int round);
    }

    static void pingRounds(String name, int rounds, AtomicLong acked, Ping ping) {
        final long start = System.nanoTime();
        long lastPrint = start;
        for (int round = 0; round < rounds; round++) {
            LockSupport.parkNanos(GAP_NANOS);
            ping.send(round);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (acked.get() != round) {
                Thread.onSpinWait();
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(name + ": round " + round + " not received within 5 s");
                }
            }
            final long now = System.nanoTime();
            if (now - lastPrint >= 1_000_000_000L) {
                System.out.printf(Locale.ROOT, "%-18s wake-up latency: %,d / %,d rounds%n", name, round + 1, rounds);
                lastPrint = now;
            }
        }
        System.out.printf(Locale.ROOT, "%-18s wake-up latency: %,d rounds in %.1f s%n", name, rounds,
                (System.nanoTime() - start) / 1e9);
    }
}
