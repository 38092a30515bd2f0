package io.completionring.bench;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import io.completionring.RingStats;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which regime each run of a blocking hand-off lands in: P producer threads doing {@code trySubmit} (else
 * {@code submit}) + {@code complete}, R reapers in {@code getEvents(1, 64, ...)}, capacity 1024, and per run the
 * throughput, the events a {@code getEvents} call took on average, and the CPU time each side spent per event. On two
 * vCPUs the same code lands in regimes whose throughput differs several-fold (docs/benchmarks.md, "Why two runs of
 * the same benchmark disagree"); the events per call say which one a run was in. With more than one producer the
 * ring is built with {@code multiProducer(true)}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.completionring.bench.Regimes [--producers 1..16]
 *     [--reapers 1..16] [--events N] [--runs 1..1000]</pre>
 */
public final class Regimes {

    static final String USAGE = "usage: Regimes [--producers 1..16] [--reapers 1..16] [--events 1000..1000000000]"
            + " [--runs 1..1000]";

    private static final int CAPACITY = 1024;
    private static final int NR = 64;

    private Regimes() {
    }

    public static void main(String[] args) throws InterruptedException {
        int producers = 1;
        int reapers = 2;
        long events = 8_000_000;
        int runs = 10;
        try {
            if (args.length % 2 != 0) {
                throw new IllegalArgumentException("missing value for " + args[args.length - 1]);
            }
            for (int i = 0; i < args.length; i += 2) {
                switch (args[i]) {
                    case "--producers" -> producers = (int) number(args[i], args[i + 1], 1, 16);
                    case "--reapers" -> reapers = (int) number(args[i], args[i + 1], 1, 16);
                    case "--events" -> events = number(args[i], args[i + 1], 1000, 1_000_000_000);
                    case "--runs" -> runs = (int) number(args[i], args[i + 1], 1, 1000);
                    default -> throw new IllegalArgumentException("unknown flag " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "; " + USAGE);
            System.exit(2);
        }
        System.out.printf(Locale.ROOT, "Regimes: %d producer%s -> %d reaper%s, %,d events per run, capacity %d,"
                        + " getEvents(1, %d); %d processors, Java %s%n", producers, producers == 1 ? "" : "s",
                reapers, reapers == 1 ? "" : "s", events, CAPACITY, NR,
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        for (int run = 1; run <= runs; run++) {
            run(run, producers, reapers, events);
        }
    }

    private static void run(int run, int producers, int reapers, long events) throws InterruptedException {
        final CompletionRing ring = CompletionRing.builder().capacity(CAPACITY).multiProducer(producers > 1).build();
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        final AtomicLong calls = new AtomicLong();
        final AtomicLong reaped = new AtomicLong();
        final AtomicLong reaperCpu = new AtomicLong();
        final AtomicLong producerCpu = new AtomicLong();
        final AtomicLong fullRing = new AtomicLong();
        final Thread[] reaperThreads = new Thread[reapers];
        for (int r = 0; r < reapers; r++) {
            reaperThreads[r] = new Thread(() -> {
                final CompletionEvent[] batch = CompletionEvent.newArray(NR);
                long c = 0;
                long got = 0;
                try {
                    int n;
                    while ((n = ring.getEvents(1, NR, batch)) != -1) {
                        c++;
                        got += n;
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException("a reaper was interrupted", e);
                }
                calls.addAndGet(c);
                reaped.addAndGet(got);
                reaperCpu.addAndGet(mx.getCurrentThreadCpuTime());
            }, "reaper-" + r);
            reaperThreads[r].start();
        }
        final Thread[] producerThreads = new Thread[producers];
        final long start = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            final long share = events / producers + (p < events % producers ? 1 : 0);
            producerThreads[p] = new Thread(() -> {
                long full = 0;
                try {
                    for (long k = 0; k < share; k++) {
                        if (!ring.trySubmit()) {
                            full++;
                            ring.submit();
                        }
                        ring.complete(k, ~k);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException("a producer was interrupted", e);
                }
                fullRing.addAndGet(full);
                producerCpu.addAndGet(mx.getCurrentThreadCpuTime());
            }, "producer-" + p);
            producerThreads[p].start();
        }
        for (Thread t : producerThreads) {
            t.join();
        }
        ring.close();                                       // the reapers take what is left, then get -1
        for (Thread t : reaperThreads) {
            t.join();
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        if (reaped.get() != events) {
            throw new IllegalStateException("reaped " + reaped.get() + " of " + events + " events");
        }
        final RingStats stats = ring.stats();
        System.out.printf(Locale.ROOT, "run %3d: %6.2f M events/s, %5.1f events per call, CPU per event:"
                        + " producers %5.1f ns, reapers %5.1f ns; parks %d, unparks %d; full ring %.3f per event%n",
                run,
                events / seconds / 1e6, (double) reaped.get() / calls.get(), (double) producerCpu.get() / events,
                (double) reaperCpu.get() / events, stats.parks(), stats.unparks(),
                (double) fullRing.get() / events);
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
}
