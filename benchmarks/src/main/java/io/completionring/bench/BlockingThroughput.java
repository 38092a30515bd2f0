package io.completionring.bench;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.dsl.ProducerType;
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

import java.util.ArrayList;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static io.completionring.bench.RingHandoff.WAIT_MS;

/**
 * Throughput of a 1 → N hand-off whose consumers block (spin briefly and/or park) when there is nothing to take,
 * and whose producer waits when the structure is full: the shape of an I/O completion thread feeding a pool.
 * Compare the {@code events} counter (events consumed per microsecond).
 *
 * <ul>
 * <li>{@code ring}: {@code trySubmit()} (else {@code submit(timeout)}) + {@code complete()} per event; reapers in
 *     {@code getEvents(1, nr, ...)}. The reservation is part of the ring's cost, as in real use.</li>
 * <li>{@code abq}: {@code ArrayBlockingQueue} put/take (as {@code offer/poll} with a timeout, see below).</li>
 * <li>{@code abqDrain}: the same, the consumer taking one and then {@code drainTo} up to {@code nr - 1} more.</li>
 * <li>{@code ltq}: {@code LinkedTransferQueue} offer / timed poll. It is unbounded, so a {@code Semaphore} of
 *     {@code capacity} permits holds it to the same capacity as everyone else, as a user who needs back-pressure
 *     must do.</li>
 * <li>{@code jctools}: {@code SpmcArrayQueue} inside {@link ParkingSpmcQueue}, the spin-then-park loop a JCTools
 *     user has to write.</li>
 * <li>{@code disruptor}: {@code BlockingWaitStrategy}, its own consumer threads, sharded ({@link DisruptorContender}).</li>
 * </ul>
 *
 * <p>Every wait is timed ({@value RingHandoff#WAIT_MS} ms), the only way a group can stop cleanly when JMH stops its
 * threads one at a time; see {@link RingHandoff}. The queue states serve {@link MultiProducerThroughput} too: here the
 * single producer's sequence and left-over event are the state's own (a {@link QueueProducer}), as the ring's are
 * its hand-off's; there each producer thread brings its own.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BlockingThroughput {

    public static class RingState extends RingGroupState {
        /** The most events a reaper takes per {@code getEvents} call. */
        @Param("64")
        int nr;

        @Override
        RingHandoff open() {
            return new RingHandoff(capacity, 1, nr);
        }
    }

    /** {@code ArrayBlockingQueue} put/take, as {@code offer/poll} with a timeout for the end of the run. */
    @State(Scope.Group)
    public static class AbqState extends QueueProducer {
        @Param("1024")
        int capacity;

        ArrayBlockingQueue<Completion> queue;

        @Setup(Level.Trial)
        public void setUp() {
            queue = new ArrayBlockingQueue<>(capacity);
        }

        void put(QueueProducer p, OfferCounters c) throws InterruptedException {
            final Completion e = p.next();
            p.offered(e, queue.offer(e, WAIT_MS, TimeUnit.MILLISECONDS), c);
        }

        void take(ReapCounters c, Blackhole bh) throws InterruptedException {
            c.took(queue.poll(WAIT_MS, TimeUnit.MILLISECONDS), bh);
        }
    }

    public static class AbqDrainState extends AbqState {
        @Param("64")
        int nr;

        /** Takes one (timed, as {@code take}), then {@code drainTo} up to {@code nr - 1} more. */
        void takeAndDrain(Drainer d, ReapCounters c, Blackhole bh) throws InterruptedException {
            final Completion first = queue.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            if (first == null) {
                c.emptyPolls++;
                return;
            }
            final ArrayList<Completion> drained = d.drained;
            final int n = queue.drainTo(drained, nr - 1);
            long sum = first.userData ^ first.result;
            for (int i = 0; i < n; i++) {
                final Completion e = drained.get(i);
                sum += e.userData ^ e.result;
            }
            drained.clear();
            bh.consume(sum);
            c.events += 1 + n;
        }
    }

    @State(Scope.Thread)
    public static class Drainer {
        final ArrayList<Completion> drained = new ArrayList<>(64);
    }

    /** {@code LinkedTransferQueue}, held to {@code capacity} by a {@code Semaphore}. */
    @State(Scope.Group)
    public static class LtqState {
        @Param("1024")
        int capacity;

        LinkedTransferQueue<Completion> queue;
        Semaphore space;
        long sequence;                                      // written only by the producer thread

        @Setup(Level.Trial)
        public void setUp() {
            queue = new LinkedTransferQueue<>();
            space = new Semaphore(capacity);
        }

        void put(OfferCounters c) throws InterruptedException {
            if (space.tryAcquire(WAIT_MS, TimeUnit.MILLISECONDS)) {
                final long seq = sequence++;
                queue.offer(new Completion(seq, ~seq));
            } else {
                c.fullOffers++;
            }
        }

        void take(ReapCounters c, Blackhole bh) throws InterruptedException {
            final Completion e = queue.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            if (e != null) {
                space.release();
            }
            c.took(e, bh);
        }
    }

    /** JCTools {@code SpmcArrayQueue} in the spin-then-park wrapper; {@link #newQueue} says which JCTools queue. */
    @State(Scope.Group)
    public static class SpmcParkState extends QueueProducer {
        @Param("1024")
        int capacity;
        /** Polls a consumer spins before it parks; offers a producer spins on a full queue before it yields. */
        @Param("100")
        int spins;

        ParkingSpmcQueue<Completion> queue;

        @Setup(Level.Trial)
        public void setUp() {
            queue = newQueue();
        }

        ParkingSpmcQueue<Completion> newQueue() {
            return new ParkingSpmcQueue<>(capacity, spins, 8);
        }

        void offer(QueueProducer p, OfferCounters c) {
            final Completion e = p.next();
            p.offered(e, queue.offer(e, WAIT_MS, TimeUnit.MILLISECONDS), c);
        }

        void poll(SpmcConsumer t, ReapCounters c, Blackhole bh) {
            if (t.slot < 0) {
                t.slot = queue.registerConsumer();
            }
            c.took(queue.poll(t.slot, WAIT_MS, TimeUnit.MILLISECONDS), bh);
        }
    }

    /** A consumer thread's parking slot in {@link ParkingSpmcQueue}, taken at its first poll. */
    @State(Scope.Thread)
    public static class SpmcConsumer {
        int slot = -1;
    }

    public static class Disruptor1 extends DisruptorContender {
        public Disruptor1() {
            super(1, BlockingWaitStrategy::new, ProducerType.SINGLE);
        }
    }

    public static class Disruptor2 extends DisruptorContender {
        public Disruptor2() {
            super(2, BlockingWaitStrategy::new, ProducerType.SINGLE);
        }
    }

    public static class Disruptor4 extends DisruptorContender {
        public Disruptor4() {
            super(4, BlockingWaitStrategy::new, ProducerType.SINGLE);
        }
    }

    // ---- the ring ------------------------------------------------------------------------------------------------

    @Benchmark
    @Group("ring_1to1")
    @GroupThreads(1)
    public void ring_1to1_produce(RingState s, OfferCounters c) throws InterruptedException {
        s.handoff.produce(c);
    }

    @Benchmark
    @Group("ring_1to1")
    @GroupThreads(1)
    public void ring_1to1_reap(RingState s, ReaperEvents r, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.handoff.reap(r.events, c, bh);
    }

    @Benchmark
    @Group("ring_1to2")
    @GroupThreads(1)
    public void ring_1to2_produce(RingState s, OfferCounters c) throws InterruptedException {
        s.handoff.produce(c);
    }

    @Benchmark
    @Group("ring_1to2")
    @GroupThreads(2)
    public void ring_1to2_reap(RingState s, ReaperEvents r, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.handoff.reap(r.events, c, bh);
    }

    @Benchmark
    @Group("ring_1to4")
    @GroupThreads(1)
    public void ring_1to4_produce(RingState s, OfferCounters c) throws InterruptedException {
        s.handoff.produce(c);
    }

    @Benchmark
    @Group("ring_1to4")
    @GroupThreads(4)
    public void ring_1to4_reap(RingState s, ReaperEvents r, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.handoff.reap(r.events, c, bh);
    }

    // ---- ArrayBlockingQueue: put/take and take+drainTo -----------------------------------------------------------

    @Benchmark
    @Group("abq_1to1")
    @GroupThreads(1)
    public void abq_1to1_put(AbqState s, OfferCounters c) throws InterruptedException {
        s.put(s, c);
    }

    @Benchmark
    @Group("abq_1to1")
    @GroupThreads(1)
    public void abq_1to1_take(AbqState s, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.take(c, bh);
    }

    @Benchmark
    @Group("abq_1to2")
    @GroupThreads(1)
    public void abq_1to2_put(AbqState s, OfferCounters c) throws InterruptedException {
        s.put(s, c);
    }

    @Benchmark
    @Group("abq_1to2")
    @GroupThreads(2)
    public void abq_1to2_take(AbqState s, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.take(c, bh);
    }

    @Benchmark
    @Group("abq_1to4")
    @GroupThreads(1)
    public void abq_1to4_put(AbqState s, OfferCounters c) throws InterruptedException {
        s.put(s, c);
    }

    @Benchmark
    @Group("abq_1to4")
    @GroupThreads(4)
    public void abq_1to4_take(AbqState s, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.take(c, bh);
    }

    @Benchmark
    @Group("abqDrain_1to1")
    @GroupThreads(1)
    public void abqDrain_1to1_put(AbqDrainState s, OfferCounters c) throws InterruptedException {
        s.put(s, c);
    }

    @Benchmark
    @Group("abqDrain_1to1")
    @GroupThreads(1)
    public void abqDrain_1to1_take(AbqDrainState s, Drainer d, ReapCounters c, Blackhole bh)
            throws InterruptedException {
        s.takeAndDrain(d, c, bh);
    }

    @Benchmark
    @Group("abqDrain_1to2")
    @GroupThreads(1)
    public void abqDrain_1to2_put(AbqDrainState s, OfferCounters c) throws InterruptedException {
        s.put(s, c);
    }

    @Benchmark
    @Group("abqDrain_1to2")
    @GroupThreads(2)
    public void abqDrain_1to2_take(AbqDrainState s, Drainer d, ReapCounters c, Blackhole bh)
            throws InterruptedException {
        s.takeAndDrain(d, c, bh);
    }

    @Benchmark
    @Group("abqDrain_1to4")
    @GroupThreads(1)
    public void abqDrain_1to4_put(AbqDrainState s, OfferCounters c) throws InterruptedException {
        s.put(s, c);
    }

    @Benchmark
    @Group("abqDrain_1to4")
    @GroupThreads(4)
    public void abqDrain_1to4_take(AbqDrainState s, Drainer d, ReapCounters c, Blackhole bh)
            throws InterruptedException {
        s.takeAndDrain(d, c, bh);
    }

    // ---- LinkedTransferQueue, bounded by a Semaphore -------------------------------------------------------------

    @Benchmark
    @Group("ltq_1to1")
    @GroupThreads(1)
    public void ltq_1to1_put(LtqState s, OfferCounters c) throws InterruptedException {
        s.put(c);
    }

    @Benchmark
    @Group("ltq_1to1")
    @GroupThreads(1)
    public void ltq_1to1_take(LtqState s, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.take(c, bh);
    }

    @Benchmark
    @Group("ltq_1to2")
    @GroupThreads(1)
    public void ltq_1to2_put(LtqState s, OfferCounters c) throws InterruptedException {
        s.put(c);
    }

    @Benchmark
    @Group("ltq_1to2")
    @GroupThreads(2)
    public void ltq_1to2_take(LtqState s, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.take(c, bh);
    }

    @Benchmark
    @Group("ltq_1to4")
    @GroupThreads(1)
    public void ltq_1to4_put(LtqState s, OfferCounters c) throws InterruptedException {
        s.put(c);
    }

    @Benchmark
    @Group("ltq_1to4")
    @GroupThreads(4)
    public void ltq_1to4_take(LtqState s, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.take(c, bh);
    }

    // ---- JCTools SpmcArrayQueue with a spin-then-park wrapper ----------------------------------------------------

    @Benchmark
    @Group("jctools_1to1")
    @GroupThreads(1)
    public void jctools_1to1_offer(SpmcParkState s, OfferCounters c) {
        s.offer(s, c);
    }

    @Benchmark
    @Group("jctools_1to1")
    @GroupThreads(1)
    public void jctools_1to1_poll(SpmcParkState s, SpmcConsumer t, ReapCounters c, Blackhole bh) {
        s.poll(t, c, bh);
    }

    @Benchmark
    @Group("jctools_1to2")
    @GroupThreads(1)
    public void jctools_1to2_offer(SpmcParkState s, OfferCounters c) {
        s.offer(s, c);
    }

    @Benchmark
    @Group("jctools_1to2")
    @GroupThreads(2)
    public void jctools_1to2_poll(SpmcParkState s, SpmcConsumer t, ReapCounters c, Blackhole bh) {
        s.poll(t, c, bh);
    }

    @Benchmark
    @Group("jctools_1to4")
    @GroupThreads(1)
    public void jctools_1to4_offer(SpmcParkState s, OfferCounters c) {
        s.offer(s, c);
    }

    @Benchmark
    @Group("jctools_1to4")
    @GroupThreads(4)
    public void jctools_1to4_poll(SpmcParkState s, SpmcConsumer t, ReapCounters c, Blackhole bh) {
        s.poll(t, c, bh);
    }

    // ---- Disruptor, BlockingWaitStrategy -------------------------------------------------------------------------

    @Benchmark
    @Threads(1)
    public void disruptor_1to1(Disruptor1 s, PublishCounters c) {
        s.publish(s.sequence++, c);
    }

    @Benchmark
    @Threads(1)
    public void disruptor_1to2(Disruptor2 s, PublishCounters c) {
        s.publish(s.sequence++, c);
    }

    @Benchmark
    @Threads(1)
    public void disruptor_1to4(Disruptor4 s, PublishCounters c) {
        s.publish(s.sequence++, c);
    }
}
