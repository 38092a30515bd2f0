package io.completionring.bench;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import io.completionring.CompletionEvent;
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
 * threads one at a time; see {@link RingHandoff}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BlockingThroughput {

    // ---- the ring ------------------------------------------------------------------------------------------------

    @State(Scope.Group)
    public static class RingState {
        @Param("1024")
        int capacity;
        /** The most events a reaper takes per {@code getEvents} call. */
        @Param("64")
        int nr;

        RingHandoff handoff;

        @Setup(Level.Trial)
        public void setUp() {
            handoff = new RingHandoff(capacity, 1, nr);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            handoff.close("BlockingThroughput.ring");
        }
    }

    @State(Scope.Thread)
    public static class Reaper {
        final CompletionEvent[] events = CompletionEvent.newArray(64);
    }

    @Benchmark
    @Group("ring_1to1")
    @GroupThreads(1)
    public void ring_1to1_produce(RingState s, OfferCounters c) throws InterruptedException {
        s.handoff.produce(c);
    }

    @Benchmark
    @Group("ring_1to1")
    @GroupThreads(1)
    public void ring_1to1_reap(RingState s, Reaper r, ReapCounters c, Blackhole bh) throws InterruptedException {
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
    public void ring_1to2_reap(RingState s, Reaper r, ReapCounters c, Blackhole bh) throws InterruptedException {
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
    public void ring_1to4_reap(RingState s, Reaper r, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.handoff.reap(r.events, c, bh);
    }

    // ---- ArrayBlockingQueue: put/take and take+drainTo -----------------------------------------------------------

    @State(Scope.Group)
    public static class AbqState {
        @Param("1024")
        int capacity;

        ArrayBlockingQueue<Completion> queue;
        Completion pending;                                 // the event whose offer timed out; retried next call
        long sequence;

        @Setup(Level.Trial)
        public void setUp() {
            queue = new ArrayBlockingQueue<>(capacity);
        }

        void put(OfferCounters c) throws InterruptedException {
            Completion e = pending;
            if (e == null) {
                final long seq = sequence++;
                e = new Completion(seq, ~seq);
            }
            if (queue.offer(e, WAIT_MS, TimeUnit.MILLISECONDS)) {  // put, with a timeout for the end of the run
                pending = null;
            } else {
                pending = e;
                c.fullOffers++;
            }
        }

        void take(ReapCounters c, Blackhole bh) throws InterruptedException {
            final Completion e = queue.poll(WAIT_MS, TimeUnit.MILLISECONDS); // take, with a timeout
            if (e != null) {
                bh.consume(e.userData ^ e.result);
                c.events++;
            } else {
                c.emptyPolls++;
            }
        }
    }

    @State(Scope.Group)
    public static class AbqDrainState extends AbqState {
        @Param("64")
        int nr;
    }

    @State(Scope.Thread)
    public static class Drainer {
        final ArrayList<Completion> drained = new ArrayList<>(64);
    }

    static void takeAndDrain(AbqDrainState s, Drainer d, ReapCounters c, Blackhole bh) throws InterruptedException {
        final Completion first = s.queue.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        if (first == null) {
            c.emptyPolls++;
            return;
        }
        final ArrayList<Completion> drained = d.drained;
        final int n = s.queue.drainTo(drained, s.nr - 1);
        long sum = first.userData ^ first.result;
        for (int i = 0; i < n; i++) {
            final Completion e = drained.get(i);
            sum += e.userData ^ e.result;
        }
        drained.clear();
        bh.consume(sum);
        c.events += 1 + n;
    }

    @Benchmark
    @Group("abq_1to1")
    @GroupThreads(1)
    public void abq_1to1_put(AbqState s, OfferCounters c) throws InterruptedException {
        s.put(c);
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
        s.put(c);
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
        s.put(c);
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
        s.put(c);
    }

    @Benchmark
    @Group("abqDrain_1to1")
    @GroupThreads(1)
    public void abqDrain_1to1_take(AbqDrainState s, Drainer d, ReapCounters c, Blackhole bh)
            throws InterruptedException {
        takeAndDrain(s, d, c, bh);
    }

    @Benchmark
    @Group("abqDrain_1to2")
    @GroupThreads(1)
    public void abqDrain_1to2_put(AbqDrainState s, OfferCounters c) throws InterruptedException {
        s.put(c);
    }

    @Benchmark
    @Group("abqDrain_1to2")
    @GroupThreads(2)
    public void abqDrain_1to2_take(AbqDrainState s, Drainer d, ReapCounters c, Blackhole bh)
            throws InterruptedException {
        takeAndDrain(s, d, c, bh);
    }

    @Benchmark
    @Group("abqDrain_1to4")
    @GroupThreads(1)
    public void abqDrain_1to4_put(AbqDrainState s, OfferCounters c) throws InterruptedException {
        s.put(c);
    }

    @Benchmark
    @Group("abqDrain_1to4")
    @GroupThreads(4)
    public void abqDrain_1to4_take(AbqDrainState s, Drainer d, ReapCounters c, Blackhole bh)
            throws InterruptedException {
        takeAndDrain(s, d, c, bh);
    }

    // ---- LinkedTransferQueue, bounded by a Semaphore -------------------------------------------------------------

    @State(Scope.Group)
    public static class LtqState {
        @Param("1024")
        int capacity;

        LinkedTransferQueue<Completion> queue;
        Semaphore space;
        long sequence;

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
                bh.consume(e.userData ^ e.result);
                c.events++;
            } else {
                c.emptyPolls++;
            }
        }
    }

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

    @State(Scope.Group)
    public static class SpmcParkState {
        @Param("1024")
        int capacity;
        /** Polls a consumer spins before it parks; offers the producer spins on a full queue before it yields. */
        @Param("100")
        int spins;

        ParkingSpmcQueue<Completion> queue;
        Completion pending;
        long sequence;

        @Setup(Level.Trial)
        public void setUp() {
            queue = new ParkingSpmcQueue<>(capacity, spins, 8);
        }

        void offer(OfferCounters c) {
            Completion e = pending;
            if (e == null) {
                final long seq = sequence++;
                e = new Completion(seq, ~seq);
            }
            if (queue.offer(e)) {
                pending = null;
                return;
            }
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            for (int i = 0; ; i++) {
                if (i < spins) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();                         // let the consumers, which make room, have the core
                }
                if (queue.offer(e)) {
                    pending = null;
                    return;
                }
                if ((i & 63) == 0 && System.nanoTime() - deadline > 0) {
                    pending = e;
                    c.fullOffers++;
                    return;
                }
            }
        }
    }

    @State(Scope.Thread)
    public static class SpmcConsumer {
        int slot = -1;
    }

    static void spmcPoll(SpmcParkState s, SpmcConsumer t, ReapCounters c, Blackhole bh) {
        if (t.slot < 0) {
            t.slot = s.queue.registerConsumer();
        }
        final Completion e = s.queue.poll(t.slot, WAIT_MS, TimeUnit.MILLISECONDS);
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
    public void jctools_1to1_offer(SpmcParkState s, OfferCounters c) {
        s.offer(c);
    }

    @Benchmark
    @Group("jctools_1to1")
    @GroupThreads(1)
    public void jctools_1to1_poll(SpmcParkState s, SpmcConsumer t, ReapCounters c, Blackhole bh) {
        spmcPoll(s, t, c, bh);
    }

    @Benchmark
    @Group("jctools_1to2")
    @GroupThreads(1)
    public void jctools_1to2_offer(SpmcParkState s, OfferCounters c) {
        s.offer(c);
    }

    @Benchmark
    @Group("jctools_1to2")
    @GroupThreads(2)
    public void jctools_1to2_poll(SpmcParkState s, SpmcConsumer t, ReapCounters c, Blackhole bh) {
        spmcPoll(s, t, c, bh);
    }

    @Benchmark
    @Group("jctools_1to4")
    @GroupThreads(1)
    public void jctools_1to4_offer(SpmcParkState s, OfferCounters c) {
        s.offer(c);
    }

    @Benchmark
    @Group("jctools_1to4")
    @GroupThreads(4)
    public void jctools_1to4_poll(SpmcParkState s, SpmcConsumer t, ReapCounters c, Blackhole bh) {
        spmcPoll(s, t, c, bh);
    }

    // ---- Disruptor, BlockingWaitStrategy -------------------------------------------------------------------------

    @State(Scope.Benchmark)
    public abstract static class DisruptorState {
        @Param("1024")
        int capacity;

        DisruptorContender contender;
        long sequence;

        abstract int consumers();

        @Setup(Level.Trial)
        public void setUp() {
            contender = new DisruptorContender(capacity, consumers(), new BlockingWaitStrategy());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            contender.close();
        }

        /** Claims (waiting in next() while full: the consumers never stop before the trial ends) and publishes. */
        void publish(PublishCounters c) {
            final RingBuffer<DisruptorContender.Event> ring = contender.ring;
            final long slot = ring.next();
            final DisruptorContender.Event e = ring.get(slot);
            final long seq = sequence++;
            e.userData = seq;
            e.result = ~seq;
            ring.publish(slot);
            c.events++;
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

    public static class Disruptor4 extends DisruptorState {
        @Override
        int consumers() {
            return 4;
        }
    }

    @Benchmark
    @Threads(1)
    public void disruptor_1to1(Disruptor1 s, PublishCounters c) {
        s.publish(c);
    }

    @Benchmark
    @Threads(1)
    public void disruptor_1to2(Disruptor2 s, PublishCounters c) {
        s.publish(c);
    }

    @Benchmark
    @Threads(1)
    public void disruptor_1to4(Disruptor4 s, PublishCounters c) {
        s.publish(c);
    }
}
