package io.completionring.bench;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import io.completionring.RingStats;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import static io.completionring.bench.Table.f;

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
 *      [--batch N] [--runs N] [--rounds N] [--spin-budget N] [--virtual]
 * </pre>
 *
 * <p>Defaults: 2 reapers, 40,000,000 events per side split over 5 alternating runs (after a warm-up run of each that
 * is not counted), capacity 1024, batch 1 (per-event {@code trySubmit}/{@code submit} + {@code complete}, reapers in
 * {@code getEvents(1, 64)}), latency rounds {@code min(20,000, events / 100)}, the ring's default wait policy,
 * platform reaper threads ({@code --virtual}: virtual ones, on JDK 21+; a virtual thread's CPU time cannot be asked
 * for, so the CPU time per event is then the whole process's).
 *
 * <p>Why alternating runs and medians: with three busy threads on two cores, the scheduler decides which two share a
 * core, and a run's throughput depends on that as much as on the code; one long run per side compares two draws of
 * the scheduler. Alternating runs in one JVM expose both sides to the same conditions, and the median of five
 * ignores the odd draw.
 */
public final class Demo {

    /** The settings, from the command line. */
    record Options(int reapers, long events, int capacity, int batch, int runs, int rounds, int spinBudget,
                   boolean virtual) {

        /** The events of one throughput run. */
        long eventsPerRun() {
            return Math.max(1, events / runs);
        }

        /** The warm-up: one run of at most 2,000,000 events, no latency rounds. */
        Options warmUp() {
            return new Options(reapers, Math.min(eventsPerRun(), 2_000_000), capacity, batch, 1, 0, spinBudget,
                    virtual);
        }

        /** A ring with these options; spinBudget -1 keeps the ring's default. */
        CompletionRing newRing() {
            final CompletionRing.Builder b = CompletionRing.builder().capacity(capacity);
            if (spinBudget >= 0) {
                b.spinBudget(spinBudget);
            }
            return b.build();
        }

        /** An unstarted reaper thread: virtual with {@code --virtual}. */
        Thread newReaper(String name, Runnable task) {
            return VirtualThreads.newThread(virtual, name, task);
        }
    }

    static Options parse(String[] args) {
        final Flags flags = new Flags("Demo", "One completion thread feeds a CompletionRing and, in alternating runs,"
                + " an ArrayBlockingQueue;\nreaper threads take the events, every event is checked, then the wake-up"
                + " latency is measured.");
        final OptionSpec<Long> reapers = flags.number("reapers", "reaper threads", 1, 64, 2);
        final OptionSpec<Long> events = flags.number("events", "events per side, split over the runs", 1,
                500_000_000, 40_000_000);
        final OptionSpec<Long> capacity = flags.number("capacity", "capacity of the ring and of the queue", 1,
                CompletionRing.MAX_CAPACITY, 1024);
        final OptionSpec<Long> batch = flags.number("batch", "events per trySubmit(batch) + completeAll; 1 is"
                + " trySubmit() + complete() per event; at most the capacity", 1, CompletionRing.MAX_CAPACITY, 1);
        final OptionSpec<Long> runs = flags.number("runs", "measured runs per side, alternating", 1, 100, 5);
        final OptionSpec<Long> rounds = flags.number("rounds", "wake-up latency rounds (default: min(20,000,"
                + " events / 100))", 0, 1_000_000);
        final OptionSpec<Long> spinBudget = flags.number("spin-budget", "the ring's spinBudget (default: the ring's"
                + " own)", 0, 1_000_000_000);
        final OptionSpec<Void> virtual = flags.flag("virtual", "the reapers are virtual threads (JDK 21+)");
        final OptionSet set = flags.parse(args);
        if (set.valueOf(batch) > set.valueOf(capacity)) {
            throw flags.fail("--batch " + set.valueOf(batch) + " exceeds --capacity " + set.valueOf(capacity));
        }
        if (set.has(virtual) && !VirtualThreads.available()) {
            throw flags.fail("--virtual: " + VirtualThreads.unavailableReason());
        }
        final long n = set.valueOf(events);
        return new Options(set.valueOf(reapers).intValue(), n, set.valueOf(capacity).intValue(),
                set.valueOf(batch).intValue(), set.valueOf(runs).intValue(),
                set.has(rounds) ? set.valueOf(rounds).intValue() : (int) Math.min(20_000, n / 100),
                set.has(spinBudget) ? set.valueOf(spinBudget).intValue() : -1, set.has(virtual));
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

    /** One line per throughput run. */
    static final Table RUNS = new Table(18, 8, 13, 6, 7, 13, 8);

    public static void main(String[] args) throws InterruptedException {
        final Options o = parse(args);
        System.out.printf(Locale.ROOT, "completion-ring demo: 1 completion thread -> %d %sreaper thread%s, %,d events"
                        + " per side in %d alternating runs, capacity %d, batch %d, spin budget %s; %d processors,"
                        + " Java %s%n%n", o.reapers(), o.virtual() ? "virtual " : "", o.reapers() == 1 ? "" : "s",
                o.events(), o.runs(), o.capacity(), o.batch(),
                o.spinBudget() < 0 ? "default" : String.valueOf(o.spinBudget()),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        RUNS.row("", "run", "events", "s", "M/s", "CPU ns/event", "parks");
        final Options warmUp = o.warmUp();
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
        final Table summary = new Table(40, 22, 22);
        summary.row("", "CompletionRing", "ArrayBlockingQueue");
        summary.row("events moved (all runs)", f("%,d", ringSummary.moved), f("%,d", abqSummary.moved));
        summary.row("events/s, median (min-max) of " + o.runs() + " runs", ringSummary.rate(), abqSummary.rate());
        summary.row("CPU time per event (" + (o.virtual() ? "whole process" : "all threads") + "), median",
                f("%.1f ns", ringSummary.cpuPerEvent), f("%.1f ns", abqSummary.cpuPerEvent));
        summary.row("parks per event", f("%.5f", ringSummary.parksPerEvent), "-");
        summary.row("wake-up latency p50 (complete->reaper)", f("%.1f us", ringLatency.percentileMicros(50)),
                f("%.1f us", abqLatency.percentileMicros(50)));
        summary.row("wake-up latency p99", f("%.1f us", ringLatency.percentileMicros(99)),
                f("%.1f us", abqLatency.percentileMicros(99)));
        summary.row("lost / duplicated / torn", ringSummary.damage(), abqSummary.damage());
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
            return f("%.2f M (%.2f-%.2f)", medianRate / 1e6, minRate / 1e6, maxRate / 1e6);
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

    // ---- throughput ----------------------------------------------------------------------------------------------

    /** A reaper of a throughput run: records each event it takes in seen and adds it to moved, until the end. */
    interface ReaperLoop {
        void run(Seen seen, AtomicLong moved) throws InterruptedException;
    }

    /** The producer of a throughput run: publishes events 0 to events - 1, then tells the reapers the end. */
    interface ProducerLoop {
        void run(long events) throws InterruptedException;
    }

    static Run ringThroughput(Options o, String label) throws InterruptedException {
        final CompletionRing ring = o.newRing();
        final int batch = o.batch();
        return throughput(o, "CompletionRing", label, (seen, moved) -> {
            final CompletionEvent[] got = CompletionEvent.newArray(64);
            int n;
            while ((n = ring.getEvents(1, got.length, got)) != -1) { // -1: closed and drained
                for (int i = 0; i < n; i++) {
                    seen.record(got[i].userData(), got[i].result());
                }
                moved.addAndGet(n);
            }
        }, events -> {
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
            } finally {
                ring.close();                               // reapers drain what is left, then get -1
            }
        }, () -> ring.stats().parks());
    }

    static Run abqThroughput(Options o, String label) throws InterruptedException {
        final ArrayBlockingQueue<Completion> queue = new ArrayBlockingQueue<>(o.capacity());
        final Completion poison = new Completion(-1, -1);
        return throughput(o, "ArrayBlockingQueue", label, (seen, moved) -> {
            for (Completion c; (c = queue.take()) != poison; ) {
                seen.record(c.userData, c.result);
                moved.incrementAndGet();
            }
        }, events -> {
            for (long next = 0; next < events; next++) {
                queue.put(new Completion(next, resultOf(next)));
            }
            for (int i = 0; i < o.reapers(); i++) {
                queue.put(poison);
            }
        }, null);
    }

    /**
     * One throughput run: starts the reapers and the producer, prints a progress line every second (on a terminal)
     * until the reapers are done, checks every event and prints the run's line. parks is null for a structure that
     * does not count them.
     */
    static Run throughput(Options o, String name, String label, ReaperLoop reaperLoop, ProducerLoop producerLoop,
                          LongSupplier parks) throws InterruptedException {
        final long events = o.eventsPerRun();
        final Seen[] seen = new Seen[o.reapers()];
        final CpuClock cpu = new CpuClock(o.reapers() + 1, o.virtual());
        final AtomicLong moved = new AtomicLong();
        final CountDownLatch done = new CountDownLatch(o.reapers());
        final Thread[] reapers = new Thread[o.reapers()];
        for (int r = 0; r < reapers.length; r++) {
            final Seen s = seen[r] = new Seen(events);
            final int slot = r;
            reapers[r] = o.newReaper(name + "-reaper-" + r, () -> {
                try {
                    reaperLoop.run(s, moved);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    cpu.stop(slot);
                    done.countDown();
                }
            });
        }
        final Thread producer = new Thread(() -> {
            try {
                producerLoop.run(events);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                cpu.stop(reapers.length);
            }
        }, name + "-producer");

        final boolean tty = System.console() != null;
        final long start = System.nanoTime();
        for (Thread t : reapers) {
            t.start();
        }
        producer.start();
        while (!done.await(tty ? 250 : 1000, TimeUnit.MILLISECONDS)) {
            if (tty) {
                System.out.printf(Locale.ROOT, "\r%-18s %-8s %,13d / %,d events", name, label, moved.get(), events);
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
        final long parked = parks == null ? 0 : parks.getAsLong();
        final Run run = verify(seen, events, moved.get(), seconds, cpu.total(), parked);
        RUNS.row(name, label, f("%,d", run.moved()), f("%.2f", seconds), f("%.2f", run.perSecond() / 1e6),
                f("%.1f", run.cpuPerEvent()), parks == null ? "-" : f("%,d", parked));
        return run;
    }

    /**
     * The CPU time of a run. Each platform thread records its own when it finishes (a finished thread's CPU time can
     * no longer be asked for); a virtual thread's cannot be had at all, so with virtual reapers the clock measures
     * the whole process from its creation to {@link #total}.
     */
    static final class CpuClock {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private static final com.sun.management.OperatingSystemMXBean PROCESS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final long[] nanos;
        private final long processStart;                    // -1: the threads measure themselves

        CpuClock(int threads, boolean wholeProcess) {
            nanos = new long[threads];
            processStart = wholeProcess ? PROCESS.getProcessCpuTime() : -1;
        }

        void stop(int thread) {
            nanos[thread] = THREADS.getCurrentThreadCpuTime();
        }

        /** The sum over the threads, or the process's time since the clock was made; read after the joins. */
        long total() {
            if (processStart >= 0) {
                return PROCESS.getProcessCpuTime() - processStart;
            }
            long sum = 0;
            for (long n : nanos) {
                sum += n;
            }
            return sum;
        }
    }

    // ---- wake-up latency -----------------------------------------------------------------------------------------

    /** Pause between latency rounds, long enough for the reaper to finish spinning and park. */
    static final long GAP_NANOS = 100_000;

    /** The latency phase's reaper: waits for the next event and copies it into {@code event = {round, nanos}}. */
    interface Receiver {
        /** False once the producer has ended the phase. */
        boolean receive(long[] event) throws InterruptedException;
    }

    /** The latency phase's producer: publishes a round's event, carrying its {@code System.nanoTime()}. */
    interface Sender {
        void send(int round, long nanos);
    }

    /** The latency phase's producer after the last round: ends the reaper's receive. */
    interface Ender {
        void end() throws InterruptedException;
    }

    static Latency ringLatency(Options o) throws InterruptedException {
        final CompletionRing ring = o.newRing();
        final CompletionEvent[] got = CompletionEvent.newArray(1);
        final Latency latency = latency(o, "CompletionRing", event -> {
            if (ring.getEvents(1, 1, got) != 1) {
                return false;                               // -1: closed
            }
            event[0] = got[0].userData();
            event[1] = got[0].result();
            return true;
        }, (round, nanos) -> {
            if (!ring.trySubmit()) {
                throw new IllegalStateException("ring full with one event in flight");
            }
            ring.complete(round, nanos);
        }, ring::close);
        final RingStats st = ring.stats();
        System.out.printf(Locale.ROOT, "  ring stats: %d parks for %d events%n", st.parks(), st.reaped());
        return latency;
    }

    static Latency abqLatency(Options o) throws InterruptedException {
        final ArrayBlockingQueue<Completion> queue = new ArrayBlockingQueue<>(o.capacity());
        final Completion stop = new Completion(-1, -1);
        return latency(o, "ArrayBlockingQueue", event -> {
            final Completion c = queue.take();
            event[0] = c.userData;
            event[1] = c.result;
            return c != stop;
        }, (round, nanos) -> {
            if (!queue.offer(new Completion(round, nanos))) {
                throw new IllegalStateException("queue full with one event in flight");
            }
        }, () -> queue.put(stop));
    }

    /**
     * One completion at a time; the reaper, parked by then, stamps how long after the completion it got the event
     * (the producer put its nanoTime in the result) and acknowledges. Returns the sorted latencies.
     */
    static Latency latency(Options o, String name, Receiver receiver, Sender sender, Ender ender)
            throws InterruptedException {
        final long[] samples = new long[o.rounds()];
        final AtomicLong acked = new AtomicLong(-1);
        final Thread reaper = o.newReaper(name + "-latency-reaper", () -> {
            final long[] event = new long[2];
            try {
                while (receiver.receive(event)) {
                    final long latency = System.nanoTime() - event[1];
                    samples[(int) event[0]] = latency;
                    acked.set(event[0]);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        reaper.start();
        final long start = System.nanoTime();
        long lastPrint = start;
        for (int round = 0; round < o.rounds(); round++) {
            LockSupport.parkNanos(GAP_NANOS);
            sender.send(round, System.nanoTime());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (acked.get() != round) {
                Thread.onSpinWait();
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(name + ": round " + round + " not received within 5 s");
                }
            }
            final long now = System.nanoTime();
            if (now - lastPrint >= 1_000_000_000L) {
                System.out.printf(Locale.ROOT, "%-18s wake-up latency: %,d / %,d rounds%n", name, round + 1,
                        o.rounds());
                lastPrint = now;
            }
        }
        System.out.printf(Locale.ROOT, "%-18s wake-up latency: %,d rounds in %.1f s%n", name, o.rounds(),
                (System.nanoTime() - start) / 1e9);
        ender.end();
        reaper.join();
        Arrays.sort(samples);
        return new Latency(samples);
    }
}
