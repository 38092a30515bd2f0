package io.completionring.bench;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import org.jctools.queues.SpmcArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Throughput of a 1 → N hand-off whose consumers never park: every call is one attempt (one offer or
 * {@code trySubmit}+{@code complete}, one poll), and failures are counted, not retried inside the call. Compare the
 * {@code events} counter (events handed off per microsecond); the group's primary score adds up calls of both sides
 * and means little.
 *
 * <p>Contenders: the ring ({@code trySubmit} + {@code complete}, reapers in {@code pollEvents(nr)}); JCTools
 * {@code SpmcArrayQueue} offer/poll; the Disruptor with {@code BusySpinWaitStrategy} (its own consumer threads,
 * sharded, see {@link DisruptorContender}). On the 2-core reference machine 1 → 2 means three busy threads on two
 * cores: every contender loses a core to the others there.
 *
 * <p>No call can block, so no thread can hang when JMH stops the threads of a group one by one.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SpinThroughput {

    @State(Scope.Group)
    public static class RingState {
        @Param("1024")
        int capacity;
        /** The most events a reaper takes per {@code pollEvents} call. */
        @Param({"1", "64"})
        int nr;

        CompletionRing ring;
        long sequence;                                      // written only by the producer thread

        @Setup(Level.Trial)
        public void setUp() {
            ring = CompletionRing.builder().capacity(capacity).build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            ring.close();
        }
    }

    @State(Scope.Thread)
    public static class Reaper {
        final CompletionEvent[] events = CompletionEvent.newArray(64);
    }

    @State(Scope.Group)
    public static class SpmcState {
        @Param("1024")
        int capacity;

        SpmcArrayQueue<Completion> queue;
        Completion pending;                                 // the event the producer failed to offer; retried next call
        long sequence;

        @Setup(Level.Trial)
        public void setUp() {
            queue = new SpmcArrayQueue<>(capacity);
        }
    }

    @State(Scope.Benchmark)
    public abstract static class DisruptorState {
        @Param("1024")
        int capacity;

        DisruptorContender contender;
        long sequence;

        abstract int consumers();

        @Setup(Level.Trial)
        public void setUp() {
            contender = new DisruptorContender(capacity, consumers(), new BusySpinWaitStrategy());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            contender.close();
        }
    }

    public static class Disruptor1 extends DisruptorState {
        @Override
        int consumers() {
            return 1;
        }
    }

    public static class Disruptor2 extends DisruptorState {
        @Override
        int consumers() {
            return 2;
        }
    }

    // ---- the ring ------------------------------------------------------------------------------------------------

    static void ringProduce(RingState s, OfferCounters c) {
        final CompletionRing ring = s.ring;
        if (ring.trySubmit()) {
            final long seq = s.sequence++;
            ring.complete(seq, ~seq);
        } else {
            c.fullOffers++;
        }
    }

    static void ringReap(RingState s, Reaper r, ReapCounters c, Blackhole bh) {
        final CompletionEvent[] events = r.events;
        final int n = s.ring.pollEvents(s.nr, events);
        if (n > 0) {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += events[i].userData() ^ events[i].result();
            }
            bh.consume(sum);
            c.events += n;
        } else {
            c.emptyPolls++;
        }
    }

    @Benchmark
    @Group("ring_1to1")
    @GroupThreads(1)
    public void ring_1to1_produce(RingState s, OfferCounters c) {
        ringProduce(s, c);
    }

    @Benchmark
    @Group("ring_1to1")
    @GroupThreads(1)
    public void ring_1to1_reap(RingState s, Reaper r, ReapCounters c, Blackhole bh) {
        ringReap(s, r, c, bh);
    }

    @Benchmark
    @Group("ring_1to2")
    @GroupThreads(1)
    public void ring_1to2_produce(RingState s, OfferCounters c) {
        ringProduce(s, c);
    }

    @Benchmark
    @Group("ring_1to2")
    @GroupThreads(2)
    public void ring_1to2_reap(RingState s, Reaper r, ReapCounters c, Blackhole bh) {
        ringReap(s, r, c, bh);
    }

    // ---- JCTools SpmcArrayQueue ----------------------------------------------------------------------------------

    static void spmcOffer(SpmcState s, OfferCounters c) {
        Completion e = s.pending;
        if (e == null) {
            final long seq = s.sequence++;
            e = new Completion(seq, ~seq);
        }
        if (s.queue.offer(e)) {
            s.pending = null;
        } else {
            s.pending = e;
            c.fullOffers++;
        }
    }

    static void spmcPoll(SpmcState s, ReapCounters c, Blackhole bh) {
        final Completion e = s.queue.poll();
        if (e != null) {
            bh.consume(e.userData ^ e.result);
            c.events++;
        } else {
            c.emptyPolls++;
        }
    }

    @Benchmark
    @Group("jctools_1to1")
    @GroupThreads(1)
    public void jctools_1to1_offer(SpmcState s, OfferCounters c) {
        spmcOffer(s, c);
    }

    @Benchmark
    @Group("jctools_1to1")
    @GroupThreads(1)
    public void jctools_1to1_poll(SpmcState s, ReapCounters c, Blackhole bh) {
        spmcPoll(s, c, bh);
    }

    @Benchmark
    @Group("jctools_1to2")
    @GroupThreads(1)
    public void jctools_1to2_offer(SpmcState s, OfferCounters c) {
        spmcOffer(s, c);
    }

    @Benchmark
    @Group("jctools_1to2")
    @GroupThreads(2)
    public void jctools_1to2_poll(SpmcState s, ReapCounters c, Blackhole bh) {
        spmcPoll(s, c, bh);
    }

    // ---- Disruptor, busy spin ------------------------------------------------------------------------------------

    static void disruptorPublish(DisruptorState s, PublishCounters c) {
        final RingBuffer<DisruptorContender.Event> ring = s.contender.ring;
        final long slot;
        try {
            slot = ring.tryNext();
        } catch (InsufficientCapacityException full) {    // a shared instance: no allocation
            c.fullOffers++;
            return;
        }
        final DisruptorContender.Event e = ring.get(slot);
        final long seq = s.sequence++;
        e.userData = seq;
        e.result = ~seq;
        ring.publish(slot);
        c.events++;
    }

    @Benchmark
    @Threads(1)
    public void disruptor_1to1(Disruptor1 s, PublishCounters c) {
        disruptorPublish(s, c);
    }

    @Benchmark
    @Threads(1)
    public void disruptor_1to2(Disruptor2 s, PublishCounters c) {
        disruptorPublish(s, c);
    }
}
