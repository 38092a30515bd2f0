package io.completionring.bench;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.dsl.ProducerType;
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
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SpinThroughput {

    public static class RingState extends RingGroupState {
        /** The most events a reaper takes per {@code pollEvents} call. */
        @Param({"1", "64"})
        int nr;

        @Override
        RingHandoff open() {
            return new RingHandoff(capacity, 1, nr);
        }
    }

    public static class BatchedRingState extends RingGroupState {
        /** The slots one {@code trySubmit(batch)} reserves; the producer then completes them one by one. */
        @Param("64")
        int batch;
        /** The most events a reaper takes per {@code pollEvents} call. */
        @Param("64")
        int nr;

        @Override
        RingHandoff open() {
            return new RingHandoff(capacity, batch, nr);
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
        s.handoff.tryProduce(c);
    }

    @Benchmark
    @Group("ring_1to1")
    @GroupThreads(1)
    public void ring_1to1_reap(RingState s, ReaperEvents r, ReapCounters c, Blackhole bh) {
        s.handoff.poll(r.events, c, bh);
    }

    @Benchmark
    @Group("ring_1to2")
    @GroupThreads(1)
    public void ring_1to2_produce(RingState s, OfferCounters c) {
        s.handoff.tryProduce(c);
    }

    @Benchmark
    @Group("ring_1to2")
    @GroupThreads(2)
    public void ring_1to2_reap(RingState s, ReaperEvents r, ReapCounters c, Blackhole bh) {
        s.handoff.poll(r.events, c, bh);
    }

    @Benchmark
    @Group("ring_batched_1to1")
    @GroupThreads(1)
    public void ring_batched_1to1_produce(BatchedRingState s, OfferCounters c) {
        s.handoff.tryProduce(c);
    }

    @Benchmark
    @Group("ring_batched_1to1")
    @GroupThreads(1)
    public void ring_batched_1to1_reap(BatchedRingState s, ReaperEvents r, ReapCounters c, Blackhole bh) {
        s.handoff.poll(r.events, c, bh);
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
