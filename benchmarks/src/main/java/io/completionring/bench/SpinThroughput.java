package io.completionring.bench;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.dsl.ProducerType;
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
 * Throughput of a 1 → N hand-off whose consumers never park: every call is one attempt (one offer, one
 * {@code trySubmit} with its {@code complete}s, one poll), and failures are counted, not retried inside the call.
 * Compare the {@code events} counter (events handed off per microsecond); the group's primary score adds up calls of
 * both sides and means little.
 *
 * <p>Contenders: the ring ({@code trySubmit()} + {@code complete()} per event, reapers in {@code pollEvents(nr)});
 * the ring with batched reservations ({@code ring_batched_1to1}: {@code trySubmit(batch)}, then {@code batch}
 * {@code complete()}s, what a user who submits requests in batches writes; the reaper in {@code pollEvents(nr)});
 * JCTools {@code SpmcArrayQueue} offer/poll; the Disruptor with {@code BusySpinWaitStrategy} (its own consumer
 * threads, sharded, see {@link DisruptorContender}). On the 2-core reference machine 1 → 2 means three busy threads
 * on two cores: every contender loses a core to the others there.
 *
 * <p>No call can block, so no thread can hang when JMH stops the threads of a group one by one.
 *
 * <p>Compare forks, not only means: on the 2-vCPU reference machine (JDK 17) the forks of {@code ring_1to1} land in
 * one of two modes, about 2 M events/s or 5 to 8 M, in proportions that vary from round to round. Where the JVM
 * places the state object decides it: the producer's sequence, written per event, sits beside the fields the reapers
 * read per call (as in {@link SpmcState}); with the sequence moved to a cache line of its own, 20 forks of 20 ran in
 * the faster mode.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SpinThroughput {

    /**
     * The ring of a spinning group. The producer's sequence is a field beside the ring, as the JCTools state's is
     * beside its queue: the producer writes it per event near the fields that the reapers read per call.
     */
    @State(Scope.Group)
    public abstract static class SpinRing {
        @Param("1024")
        int capacity;

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

        /** One {@code trySubmit()} + {@code complete()}; a full ring counts a full offer. */
        void tryProduce(OfferCounters c) {
            final CompletionRing ring = this.ring;
            if (ring.trySubmit()) {
                final long seq = sequence++;
                ring.complete(seq, ~seq);
            } else {
                c.fullOffers++;
            }
        }

        /** One {@code pollEvents(nr)} call. */
        void poll(int nr, CompletionEvent[] events, ReapCounters c, Blackhole bh) {
            c.took(events, ring.pollEvents(nr, events), bh);
        }
    }

    public static class RingState extends SpinRing {
        /** The most events a reaper takes per {@code pollEvents} call. */
        @Param({"1", "64"})
        int nr;
    }

    public static class BatchedRingState extends SpinRing {
        /** The slots one {@code trySubmit(batch)} reserves; the producer then completes them one by one. */
        @Param("64")
        int batch;
        /** The most events a reaper takes per {@code pollEvents} call. */
        @Param("64")
        int nr;

        /**
         * One {@code trySubmit(batch)} and, if it reserved, {@code batch} {@code complete()}s, as requests that finish
         * one by one; a full ring counts a full offer, and the next call tries again.
         */
        void tryProduceBatch(OfferCounters c) {
            final CompletionRing ring = this.ring;
            if (!ring.trySubmit(batch)) {
                c.fullOffers++;
                return;
            }
            long seq = sequence;
            for (int i = batch; i > 0; i--, seq++) {
                ring.complete(seq, ~seq);
            }
            sequence = seq;
        }
    }

    @State(Scope.Group)
    public static class SpmcState extends QueueProducer {
        @Param("1024")
        int capacity;

        SpmcArrayQueue<Completion> queue;

        @Setup(Level.Trial)
        public void setUp() {
            queue = new SpmcArrayQueue<>(capacity);
        }

        void offer(OfferCounters c) {
            final Completion e = next();
            offered(e, queue.offer(e), c);
        }

        void poll(ReapCounters c, Blackhole bh) {
            c.took(queue.poll(), bh);
        }
    }

    public static class Disruptor1 extends DisruptorContender {
        public Disruptor1() {
            super(1, BusySpinWaitStrategy::new, ProducerType.SINGLE);
        }
    }

    public static class Disruptor2 extends DisruptorContender {
        public Disruptor2() {
            super(2, BusySpinWaitStrategy::new, ProducerType.SINGLE);
        }
    }

    // ---- the ring ------------------------------------------------------------------------------------------------

    @Benchmark
    @Group("ring_1to1")
    @GroupThreads(1)
    public void ring_1to1_produce(RingState s, OfferCounters c) {
        s.tryProduce(c);
    }

    @Benchmark
    @Group("ring_1to1")
    @GroupThreads(1)
    public void ring_1to1_reap(RingState s, ReaperEvents r, ReapCounters c, Blackhole bh) {
        s.poll(s.nr, r.events, c, bh);
    }

    @Benchmark
    @Group("ring_1to2")
    @GroupThreads(1)
    public void ring_1to2_produce(RingState s, OfferCounters c) {
        s.tryProduce(c);
    }

    @Benchmark
    @Group("ring_1to2")
    @GroupThreads(2)
    public void ring_1to2_reap(RingState s, ReaperEvents r, ReapCounters c, Blackhole bh) {
        s.poll(s.nr, r.events, c, bh);
    }

    @Benchmark
    @Group("ring_batched_1to1")
    @GroupThreads(1)
    public void ring_batched_1to1_produce(BatchedRingState s, OfferCounters c) {
        s.tryProduce(c);
    }

    @Benchmark
    @Group("ring_batched_1to1")
    @GroupThreads(1)
    public void ring_batched_1to1_reap(BatchedRingState s, ReaperEvents r, ReapCounters c, Blackhole bh) {
        s.poll(s.nr, r.events, c, bh);
    }

    // ---- JCTools SpmcArrayQueue ----------------------------------------------------------------------------------

    @Benchmark
    @Group("jctools_1to1")
    @GroupThreads(1)
    public void jctools_1to1_offer(SpmcState s, OfferCounters c) {
        s.offer(c);
    }

    @Benchmark
    @Group("jctools_1to1")
    @GroupThreads(1)
    public void jctools_1to1_poll(SpmcState s, ReapCounters c, Blackhole bh) {
        s.poll(c, bh);
    }

    @Benchmark
    @Group("jctools_1to2")
    @GroupThreads(1)
    public void jctools_1to2_offer(SpmcState s, OfferCounters c) {
        s.offer(c);
    }

    @Benchmark
    @Group("jctools_1to2")
    @GroupThreads(2)
    public void jctools_1to2_poll(SpmcState s, ReapCounters c, Blackhole bh) {
        s.poll(c, bh);
    }

    // ---- Disruptor, busy spin ------------------------------------------------------------------------------------

    @Benchmark
    @Threads(1)
    public void disruptor_1to1(Disruptor1 s, PublishCounters c) {
        if (s.tryPublish(s.sequence, c)) {
            s.sequence++;
        }
    }

    @Benchmark
    @Threads(1)
    public void disruptor_1to2(Disruptor2 s, PublishCounters c) {
        if (s.tryPublish(s.sequence, c)) {
            s.sequence++;
        }
    }
}
