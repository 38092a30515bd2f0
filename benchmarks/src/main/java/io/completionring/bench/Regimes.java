package io.completionring.bench;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import io.completionring.RingStats;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import static io.completionring.bench.Table.f;

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

    private static final int CAPACITY = 1024;
    private static final int NR = 64;

    private Regimes() {
    }

    /** One line per run. */
    private static final Table RUNS = new Table(5, 12, 12, 14, 14, 8, 8, 14);

    public static void main(String[] args) throws InterruptedException {
        final Flags flags = new Flags("Regimes", "P producers -> R reapers in getEvents(1, 64), capacity 1024: per"
                + " run, the throughput, the events per getEvents call\nand the CPU time per event of each side.");
        final OptionSpec<Long> producersFlag = flags.number("producers", "producer threads (more than 1: a"
                + " multi-producer ring)", 1, 16, 1);
        final OptionSpec<Long> reapersFlag = flags.number("reapers", "reaper threads", 1, 16, 2);
        final OptionSpec<Long> eventsFlag = flags.number("events", "events per run", 1000, 1_000_000_000, 8_000_000);
        final OptionSpec<Long> runsFlag = flags.number("runs", "runs", 1, 1000, 10);
        final OptionSet set = flags.parse(args);
        final int producers = set.valueOf(producersFlag).intValue();
        final int reapers = set.valueOf(reapersFlag).intValue();
        final long events = set.valueOf(eventsFlag);
        final int runs = set.valueOf(runsFlag).intValue();
        System.out.printf(Locale.ROOT, "Regimes: %d producer%s -> %d reaper%s, %,d events per run, capacity %d,"
                        + " getEvents(1, %d); %d processors, Java %s%n", producers, producers == 1 ? "" : "s",
                reapers, reapers == 1 ? "" : "s", events, CAPACITY, NR,
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        RUNS.row("run", "M events/s", "events/call", "producer CPU", "reaper CPU", "parks", "unparks", "full ring");
        RUNS.row("", "", "", "ns/event", "ns/event", "", "", "per event");
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
        RUNS.row(run, f("%.2f", events / seconds / 1e6), f("%.1f", (double) reaped.get() / calls.get()),
                f("%.1f", (double) producerCpu.get() / events), f("%.1f", (double) reaperCpu.get() / events),
                stats.parks(), stats.unparks(), f("%.3f", (double) fullRing.get() / events));
    }
}
