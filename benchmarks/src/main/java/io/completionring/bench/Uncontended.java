package io.completionring.bench;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import org.jctools.queues.SpmcArrayQueue;
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

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one hand-off with no other thread around, ns/op: reserve + publish + take one event on one thread.
 * The ring does {@code trySubmit()} + {@code complete()} + {@code pollEvents(1)}, in its single-producer mode
 * ({@code ring}) and built with {@code multiProducer(true)} ({@code ringMultiProducer}: the claim and the
 * availability mark, and the reader's scan and tail CAS); JCTools {@code SpmcArrayQueue} and {@code
 * ArrayBlockingQueue} do offer + poll of a reused two-long holder (single-threaded, reuse is safe, so they pay no
 * allocation here).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
public class Uncontended {

    @State(Scope.Thread)
    public static class RingState {
        @Param("1024")
        int capacity;

        CompletionRing ring;
        final CompletionEvent[] events = CompletionEvent.newArray(1);
        final CompletionEvent[] wide = CompletionEvent.newArray(64);
        long sequence;

        @Setup(Level.Trial)
        public void setUp() {
            ring = CompletionRing.builder().capacity(capacity).multiProducer(multiProducer()).build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            ring.close();
        }

        boolean multiProducer() {
            return false;
        }
    }

    @State(Scope.Thread)
    public static class MultiProducerRingState extends RingState {
        @Override
        boolean multiProducer() {
            return true;
        }
    }

    @State(Scope.Thread)
    public static class SpmcState {
        @Param("1024")
        int capacity;

        SpmcArrayQueue<Completion> queue;
        final Completion holder = new Completion(0, 0);

        @Setup(Level.Trial)
        public void setUp() {
            queue = new SpmcArrayQueue<>(capacity);
        }
    }

    @State(Scope.Thread)
    public static class AbqState {
        @Param("1024")
        int capacity;

        ArrayBlockingQueue<Completion> queue;
        final Completion holder = new Completion(0, 0);

        @Setup(Level.Trial)
        public void setUp() {
            queue = new ArrayBlockingQueue<>(capacity);
        }
    }

    @Benchmark
    public long ring(RingState s) {
        return handOff(s);
    }

    @Benchmark
    public long ringMultiProducer(MultiProducerRingState s) {
        return handOff(s);
    }

    private static long handOff(RingState s) {
        final long seq = s.sequence++;
        if (!s.ring.trySubmit()) {
            throw new IllegalStateException("ring full on one thread");
        }
        s.ring.complete(seq, ~seq);
        s.ring.pollEvents(1, s.events);
        return s.events[0].userData() ^ s.events[0].result();
    }

    /**
     * As {@link #ring}, with {@code getEvents(1, 64)}: a reaper that asks for up to 64 events and finds one ready. It
     * must cost what {@code pollEvents(1)} does; a wait policy that delays a look at a ready ring shows here.
     */
    @Benchmark
    public long ringGetEvents(RingState s) throws InterruptedException {
        final long seq = s.sequence++;
        if (!s.ring.trySubmit()) {
            throw new IllegalStateException("ring full on one thread");
        }
        s.ring.complete(seq, ~seq);
        s.ring.getEvents(1, 64, s.wide);
        return s.wide[0].userData() ^ s.wide[0].result();
    }

    @Benchmark
    public long jctools(SpmcState s) {
        final Completion h = s.holder;
        h.userData++;
        h.result = ~h.userData;
        s.queue.offer(h);
        final Completion e = s.queue.poll();
        return e.userData ^ e.result;
    }

    @Benchmark
    public long abq(AbqState s) {
        final Completion h = s.holder;
        h.userData++;
        h.result = ~h.userData;
        s.queue.offer(h);
        final Completion e = s.queue.poll();
        return e.userData ^ e.result;
    }
}
