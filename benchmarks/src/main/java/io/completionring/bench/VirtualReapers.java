package io.completionring.bench;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.util.ArrayList;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of a 1 → R hand-off whose R reapers are virtual threads (JDK 21+), in events per second: on JDK 21 and
 * later the application threads that wait for completions are often virtual. The JMH thread is the one platform
 * producer; the reapers are started at the beginning of the trial and live until its end.
 *
 * <ul>
 * <li>{@code ring}: the producer does {@code trySubmit()} (else {@code submit}, waiting for room) + {@code complete()}
 *     per event; each reaper loops in {@code getEvents(1, nr, ...)}.</li>
 * <li>{@code abq}: {@code ArrayBlockingQueue} put/take, a new two-long {@link Completion} per event; with {@code nr}
 *     above 1 a reaper takes one and then {@code drainTo}s up to {@code nr - 1} more, the queue's way of taking a batch
 *     (as {@code BlockingThroughput.abqDrain}), so that both sides may take up to {@code nr} events per wake-up.</li>
 * </ul>
 *
 * <p>One operation is one event published, so the score is events per second. The reapers are outside JMH, so the
 * events are counted where the producer publishes them; it cannot run more than {@code capacity} events ahead of the
 * reapers, so over an iteration of millions of events that differs from the events taken by at most 1,024. A stream
 * of single events, not bursts that the producer waits to see drained: the regime of a completion thread feeding a
 * pool, and one in which a reaper's spin, yield and park decide the rate.
 *
 * <p>{@code threads=platform} runs the same harness with platform reapers, for comparison (only {@code virtual} runs
 * unless asked for: {@code -p threads=virtual,platform}); on a JDK without virtual threads only that works, and
 * {@code virtual} fails at setup with a message saying why ({@code run-all.sh} leaves this class out there).
 *
 * <p>The end of a trial cannot hang: the ring is closed (its reapers take what is left, then get -1) and the queue's
 * reapers are interrupted (they take what is left with {@code poll}, then end); the joins are bounded by
 * {@link #STALL_SECONDS}, and so is a producer's wait for room. The reapers' events are then checked: every event is
 * {@code (seq, ~seq)}, whose {@code userData ^ result} is -1, so their sum over every event taken must be minus the
 * number published, or events were lost, duplicated or torn.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class VirtualReapers {

    /** A wait for room, or for the reapers to end, that lasts this long fails the run rather than hang it. */
    static final long STALL_SECONDS = 10;

    /** The producer's structure and its reaper threads, for one trial; subclasses say what a reaper does. */
    @State(Scope.Benchmark)
    public abstract static class Reapers {
        @Param("1024")
        int capacity;
        @Param({"2", "10", "100"})
        int reapers;
        /** The most events a reaper takes per wake-up. */
        @Param({"1", "64"})
        int nr;
        /** {@code virtual} or {@code platform} reaper threads. */
        @Param("virtual")
        String threads;

        /** The events published; written only by the producer, the benchmark thread. */
        long published;
        private Thread[] reaperThreads;
        /** {@code sums[r]}: reaper r's sum of {@code userData ^ result}; written as it ends, read after the join. */
        private long[] sums;

        /** Builds the structure. */
        abstract void open();

        /** A reaper's loop, until {@link #stop} ends it; returns its sum of {@code userData ^ result}. */
        abstract long reap();

        /** Tells the reapers that nothing more will be published. */
        abstract void stop(Thread[] reapers);

        /** What the structure counted, for the end-of-trial line; empty if nothing. */
        String stats() {
            return "";
        }

        @Setup(Level.Trial)
        public void setUp() {
            if (!threads.equals("virtual") && !threads.equals("platform")) {
                throw new IllegalArgumentException("threads must be virtual or platform, was " + threads);
            }
            if (threads.equals("virtual") && !VirtualThreads.available()) {
                throw new UnsupportedOperationException("threads=virtual: " + VirtualThreads.unavailableReason()
                        + " (threads=platform runs here)");
            }
            open();
            reaperThreads = new Thread[reapers];
            sums = new long[reapers];
            for (int r = 0; r < reapers; r++) {
                final int me = r;
                reaperThreads[r] = VirtualThreads.newThread(threads.equals("virtual"), "reaper-" + r,
                        () -> sums[me] = reap());
                reaperThreads[r].setDaemon(true);           // a platform reaper left behind cannot hold the JVM
                reaperThreads[r].start();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            stop(reaperThreads);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STALL_SECONDS);
            int alive = 0;
            for (Thread t : reaperThreads) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                alive += t.isAlive() ? 1 : 0;
            }
            if (alive > 0) {
                throw new IllegalStateException(alive + " of " + reapers + " reapers still running "
                        + STALL_SECONDS + " s after the end of the trial");
            }
            long sum = 0;
            for (long s : sums) {
                sum += s;
            }
            if (sum != -published) {
                throw new IllegalStateException("the reapers' events do not add up to the " + published
                        + " published (sum of userData ^ result " + sum + "): lost, duplicated or torn");
            }
            System.out.printf(Locale.ROOT, "%n[VirtualReapers %s reapers=%d nr=%d] %,d events, every one taken once%s%n",
                    threads, reapers, nr, published, stats());
        }

        static IllegalStateException stalled() {
            return new IllegalStateException("no room for " + STALL_SECONDS + " s: have the reapers stopped?");
        }
    }

    public static class RingState extends Reapers {
        CompletionRing ring;

        @Override
        void open() {
            ring = CompletionRing.builder().capacity(capacity).build();
        }

        @Override
        long reap() {
            final CompletionRing ring = this.ring;
            final int nr = this.nr;
            final CompletionEvent[] events = CompletionEvent.newArray(nr);
            long sum = 0;
            try {
                for (int n; (n = ring.getEvents(1, nr, events)) != -1; ) {    // -1: closed and drained
                    for (int i = 0; i < n; i++) {
                        sum += events[i].userData() ^ events[i].result();
                    }
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException("a ring reaper was interrupted", e);
            }
            return sum;
        }

        @Override
        void stop(Thread[] reapers) {
            ring.close();
        }

        @Override
        String stats() {
            return "; ring stats: " + ring.stats();
        }

        void produce() throws InterruptedException {
            final CompletionRing ring = this.ring;
            if (!ring.trySubmit() && !ring.submit(STALL_SECONDS, TimeUnit.SECONDS)) {
                throw stalled();
            }
            final long seq = published++;
            ring.complete(seq, ~seq);
        }
    }

    public static class AbqState extends Reapers {
        ArrayBlockingQueue<Completion> queue;

        @Override
        void open() {
            queue = new ArrayBlockingQueue<>(capacity);
        }

        /** Interrupted: the trial is over and nothing more comes, so take what is left and end. */
        @Override
        long reap() {
            final ArrayBlockingQueue<Completion> queue = this.queue;
            final int more = nr - 1;
            final ArrayList<Completion> drained = new ArrayList<>(Math.max(1, more));
            long sum = 0;
            try {
                for (;;) {
                    final Completion first = queue.take();
                    sum += first.userData ^ first.result;
                    if (more > 0) {
                        final int n = queue.drainTo(drained, more);
                        for (int i = 0; i < n; i++) {
                            final Completion e = drained.get(i);
                            sum += e.userData ^ e.result;
                        }
                        drained.clear();
                    }
                }
            } catch (InterruptedException end) {
                for (Completion e; (e = queue.poll()) != null; ) {
                    sum += e.userData ^ e.result;
                }
            }
            return sum;
        }

        @Override
        void stop(Thread[] reapers) {
            for (Thread t : reapers) {
                t.interrupt();
            }
        }

        void produce() throws InterruptedException {
            final long seq = published;
            if (!queue.offer(new Completion(seq, ~seq), STALL_SECONDS, TimeUnit.SECONDS)) {   // put, bounded
                throw stalled();
            }
            published = seq + 1;
        }
    }

    @Benchmark
    public void ring(RingState s) throws InterruptedException {
        s.produce();
    }

    @Benchmark
    public void abq(AbqState s) throws InterruptedException {
        s.produce();
    }
}
