package io.completionring.bench;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.dsl.ProducerType;
import io.completionring.CompletionRing;
import io.completionring.bench.BlockingThroughput.AbqState;
import io.completionring.bench.BlockingThroughput.SpmcConsumer;
import io.completionring.bench.BlockingThroughput.SpmcParkState;
import org.jctools.queues.MpmcArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of a P → 2 hand-off, per event, with P = 2 or 4 producer threads completing concurrently and 2 blocking
 * consumers: completion handlers on a pool (an {@code AsynchronousFileChannel}'s, say) feeding reaper threads. The
 * rules and the queue contenders are those of {@link BlockingThroughput}; compare the {@code events} counter (events
 * consumed per microsecond).
 *
 * <ul>
 * <li>{@code ring}: a ring built with {@code multiProducer(true)}; each producer does {@code trySubmit()} (else
 *     {@code submit(timeout)}) + {@code complete()} per event; reapers in {@code getEvents(1, nr, ...)}.</li>
 * <li>{@code abq}: {@code ArrayBlockingQueue} put/take (as {@code offer/poll} with a timeout), multi-producer by
 *     nature.</li>
 * <li>{@code jctools}: {@code MpmcArrayQueue} inside the spin-then-park loop of {@link ParkingSpmcQueue}, the same
 *     wait as the single-producer JCTools contender.</li>
 * <li>{@code disruptor}: {@code ProducerType.MULTI} with {@code BlockingWaitStrategy}; two consumer threads of its
 *     own, sharded as in {@link DisruptorContender} (Disruptor 4 has no work-sharing pool); the JMH threads are the
 *     producers, and the events are counted where they publish.</li>
 * </ul>
 *
 * <p>Each producer thread has its own sequence and, for the queues, its own left-over event ({@link Producer}):
 * nothing of a producer's is shared but the structure. On a 2-core machine 2 → 2 is four busy threads on two cores
 * and 4 → 2 six.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MultiProducerThroughput {

    /** A producer thread's own sequence and left-over event. */
    @State(Scope.Thread)
    public static class Producer extends QueueProducer {
    }

    public static class RingState extends RingGroupState {
        /** The most events a reaper takes per {@code getEvents} call. */
        @Param("64")
        int nr;
        /**
         * {@code default}: the ring's own spin, yield, then park; {@code noYield}: {@code yieldBudget(ZERO)}, spin
         * then park; {@code park}: {@code spinBudget(0)}, every wait parks at once. Only {@code default} runs unless
         * asked for ({@code -p waitPolicy=default,noYield,park}): the others explain where the time goes.
         */
        @Param("default")
        String waitPolicy;

        @Override
        RingHandoff open() {
            final CompletionRing.Builder b = CompletionRing.builder().capacity(capacity).multiProducer(true);
            switch (waitPolicy) {
                case "default" -> { }
                case "noYield" -> b.yieldBudget(Duration.ZERO);
                case "park" -> b.spinBudget(0);
                default -> throw new IllegalArgumentException(
                        "waitPolicy must be default, noYield or park, was " + waitPolicy);
            }
            return new RingHandoff(b.build(), 1, nr);
        }

        void produce(Producer p, OfferCounters c) throws InterruptedException {
            if (handoff.produce(p.sequence, c)) {
                p.sequence++;
            }
        }
    }

    public static class MpmcParkState extends SpmcParkState {
        @Override
        ParkingSpmcQueue<Completion> newQueue() {
            return new ParkingSpmcQueue<>(new MpmcArrayQueue<>(capacity), spins, 8);
        }
    }

    /** Two consumer threads of the Disruptor's own, shared by the benchmark's producer threads. */
    public static class MultiDisruptor2 extends DisruptorContender {
        public MultiDisruptor2() {
            super(2, BlockingWaitStrategy::new, ProducerType.MULTI);
        }
    }

    // ---- the ring, multi-producer ---------------------------------------------------------------------------------

    @Benchmark
    @Group("ring_2to2")
    @GroupThreads(2)
    public void ring_2to2_produce(RingState s, Producer p, OfferCounters c) throws InterruptedException {
        s.produce(p, c);
    }

    @Benchmark
    @Group("ring_2to2")
    @GroupThreads(2)
    public void ring_2to2_reap(RingState s, ReaperEvents r, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.handoff.reap(r.events, c, bh);
    }

    @Benchmark
    @Group("ring_4to2")
    @GroupThreads(4)
    public void ring_4to2_produce(RingState s, Producer p, OfferCounters c) throws InterruptedException {
        s.produce(p, c);
    }

    @Benchmark
    @Group("ring_4to2")
    @GroupThreads(2)
    public void ring_4to2_reap(RingState s, ReaperEvents r, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.handoff.reap(r.events, c, bh);
    }

    // ---- ArrayBlockingQueue put/take -----------------------------------------------------------------------------

    @Benchmark
    @Group("abq_2to2")
    @GroupThreads(2)
    public void abq_2to2_put(AbqState s, Producer p, OfferCounters c) throws InterruptedException {
        s.put(p, c);
    }

    @Benchmark
    @Group("abq_2to2")
    @GroupThreads(2)
    public void abq_2to2_take(AbqState s, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.take(c, bh);
    }

    @Benchmark
    @Group("abq_4to2")
    @GroupThreads(4)
    public void abq_4to2_put(AbqState s, Producer p, OfferCounters c) throws InterruptedException {
        s.put(p, c);
    }

    @Benchmark
    @Group("abq_4to2")
    @GroupThreads(2)
    public void abq_4to2_take(AbqState s, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.take(c, bh);
    }

    // ---- JCTools MpmcArrayQueue with the spin-then-park wrapper --------------------------------------------------

    @Benchmark
    @Group("jctools_2to2")
    @GroupThreads(2)
    public void jctools_2to2_offer(MpmcParkState s, Producer p, OfferCounters c) {
        s.offer(p, c);
    }

    @Benchmark
    @Group("jctools_2to2")
    @GroupThreads(2)
    public void jctools_2to2_poll(MpmcParkState s, SpmcConsumer t, ReapCounters c, Blackhole bh) {
        s.poll(t, c, bh);
    }

    @Benchmark
    @Group("jctools_4to2")
    @GroupThreads(4)
    public void jctools_4to2_offer(MpmcParkState s, Producer p, OfferCounters c) {
        s.offer(p, c);
    }

    @Benchmark
    @Group("jctools_4to2")
    @GroupThreads(2)
    public void jctools_4to2_poll(MpmcParkState s, SpmcConsumer t, ReapCounters c, Blackhole bh) {
        s.poll(t, c, bh);
    }

    // ---- Disruptor, multi-producer sequencer, BlockingWaitStrategy -----------------------------------------------

    @Benchmark
    @Threads(2)
    public void disruptor_2to2(MultiDisruptor2 s, Producer p, PublishCounters c) {
        s.publish(p.sequence++, c);
    }

    @Benchmark
    @Threads(4)
    public void disruptor_4to2(MultiDisruptor2 s, Producer p, PublishCounters c) {
        s.publish(p.sequence++, c);
    }
}
