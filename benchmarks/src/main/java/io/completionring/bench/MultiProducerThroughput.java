package io.completionring.bench;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.ProducerType;
import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import org.jctools.queues.MpmcArrayQueue;
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

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.completionring.bench.RingHandoff.WAIT_MS;

/**
 * Throughput of a P → 2 hand-off, per event, with P = 2 or 4 producer threads completing concurrently and 2 blocking
 * consumers: completion handlers on a pool (an {@code AsynchronousFileChannel}'s, say) feeding reaper threads. The
 * rules are those of {@link BlockingThroughput}; compare the {@code events} counter (events consumed per
 * microsecond).
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
 * <p>Each producer thread has its own sequence and, for the queues, its own pending event (the one whose offer timed
 * out, retried next call): nothing of a producer's is shared but the structure. On a 2-core machine 2 → 2 is four
 * busy threads on two cores and 4 → 2 six.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MultiProducerThroughput {

    /** A producer thread's own state: its sequence and the event it failed to hand over, if any. */
    @State(Scope.Thread)
    public static class Producer {
        long sequence;
        Completion pending;

        /** The event to offer: the pending one, or a new one (the queues' users allocate one per event). */
        Completion next() {
            final Completion e = pending;
            if (e != null) {
                return e;
            }
            final long seq = sequence++;
            return new Completion(seq, ~seq);
        }
    }

    @State(Scope.Thread)
    public static class Reaper {
        final CompletionEvent[] events = CompletionEvent.newArray(64);
    }

    // ---- the ring, multi-producer ---------------------------------------------------------------------------------

    @State(Scope.Group)
    public static class RingState {
        @Param("1024")
        int capacity;
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

        RingHandoff handoff;

        @Setup(Level.Trial)
        public void setUp() {
            final CompletionRing.Builder b = CompletionRing.builder().capacity(capacity).multiProducer(true);
            switch (waitPolicy) {
                case "default" -> { }
                case "noYield" -> b.yieldBudget(Duration.ZERO);
                case "park" -> b.spinBudget(0);
                default -> throw new IllegalArgumentException(
                        "waitPolicy must be default, noYield or park, was " + waitPolicy);
            }
            handoff = new RingHandoff(b.build(), 1, nr);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            handoff.close("MultiProducerThroughput.ring waitPolicy=" + waitPolicy);
        }

        void produce(Producer p, OfferCounters c) throws InterruptedException {
            if (handoff.produce(p.sequence, c)) {
                p.sequence++;
            }
        }
    }

    @Benchmark
    @Group("ring_2to2")
    @GroupThreads(2)
    public void ring_2to2_produce(RingState s, Producer p, OfferCounters c) throws InterruptedException {
        s.produce(p, c);
    }

    @Benchmark
    @Group("ring_2to2")
    @GroupThreads(2)
    public void ring_2to2_reap(RingState s, Reaper r, ReapCounters c, Blackhole bh) throws InterruptedException {
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
    public void ring_4to2_reap(RingState s, Reaper r, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.handoff.reap(r.events, c, bh);
    }

    // ---- ArrayBlockingQueue put/take -----------------------------------------------------------------------------

    @State(Scope.Group)
    public static class AbqState {
        @Param("1024")
        int capacity;

        ArrayBlockingQueue<Completion> queue;

        @Setup(Level.Trial)
        public void setUp() {
            queue = new ArrayBlockingQueue<>(capacity);
        }

        void put(Producer p, OfferCounters c) throws InterruptedException {
            final Completion e = p.next();
            if (queue.offer(e, WAIT_MS, TimeUnit.MILLISECONDS)) {  // put, with a timeout for the end of the run
                p.pending = null;
            } else {
                p.pending = e;
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

    @State(Scope.Group)
    public static class MpmcParkState {
        @Param("1024")
        int capacity;
        /** Polls a consumer spins before it parks; offers a producer spins on a full queue before it yields. */
        @Param("100")
        int spins;

        ParkingSpmcQueue<Completion> queue;

        @Setup(Level.Trial)
        public void setUp() {
            queue = new ParkingSpmcQueue<>(new MpmcArrayQueue<>(capacity), spins, 8);
        }

        /** As {@code BlockingThroughput.SpmcParkState.offer}, with the producer's own pending event. */
        void offer(Producer p, OfferCounters c) {
            final Completion e = p.next();
            if (queue.offer(e)) {
                p.pending = null;
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
                    p.pending = null;
                    return;
                }
                if ((i & 63) == 0 && System.nanoTime() - deadline > 0) {
                    p.pending = e;
                    c.fullOffers++;
                    return;
                }
            }
        }
    }

    @State(Scope.Thread)
    public static class MpmcConsumer {
        int slot = -1;
    }

    static void mpmcPoll(MpmcParkState s, MpmcConsumer t, ReapCounters c, Blackhole bh) {
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
    @Group("jctools_2to2")
    @GroupThreads(2)
    public void jctools_2to2_offer(MpmcParkState s, Producer p, OfferCounters c) {
        s.offer(p, c);
    }

    @Benchmark
    @Group("jctools_2to2")
    @GroupThreads(2)
    public void jctools_2to2_poll(MpmcParkState s, MpmcConsumer t, ReapCounters c, Blackhole bh) {
        mpmcPoll(s, t, c, bh);
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
    public void jctools_4to2_poll(MpmcParkState s, MpmcConsumer t, ReapCounters c, Blackhole bh) {
        mpmcPoll(s, t, c, bh);
    }

    // ---- Disruptor, multi-producer sequencer, BlockingWaitStrategy -----------------------------------------------

    /** Two consumer threads of the Disruptor's own; shared by the benchmark's producer threads. */
    @State(Scope.Benchmark)
    public static class DisruptorState {
        @Param("1024")
        int capacity;

        DisruptorContender contender;

        @Setup(Level.Trial)
        public void setUp() {
            contender = new DisruptorContender(capacity, 2, new BlockingWaitStrategy(), ProducerType.MULTI);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            contender.close();
        }

        /** Claims (waiting in next() while full: the consumers never stop before the trial ends) and publishes. */
        void publish(Producer p, PublishCounters c) {
            final RingBuffer<DisruptorContender.Event> ring = contender.ring;
            final long slot = ring.next();
            final DisruptorContender.Event e = ring.get(slot);
            final long seq = p.sequence++;
            e.userData = seq;
            e.result = ~seq;
            ring.publish(slot);
            c.events++;
        }
    }

    @Benchmark
    @Threads(2)
    public void disruptor_2to2(DisruptorState s, Producer p, PublishCounters c) {
        s.publish(p, c);
    }

    @Benchmark
    @Threads(4)
    public void disruptor_4to2(DisruptorState s, Producer p, PublishCounters c) {
        s.publish(p, c);
    }
}
