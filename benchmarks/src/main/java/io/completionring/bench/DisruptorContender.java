package io.completionring.bench;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An LMAX Disruptor 4 set up as a 1 → N (or, with {@link ProducerType#MULTI}, P → N) work-sharing hand-off, for one
 * trial: a ring of pre-allocated two-long events and N event-processor threads. Disruptor 4 removed the work-sharing
 * WorkerPool, so each of the N handlers sees every sequence and handles the ones with {@code sequence % N == its
 * index} (sharding, the Disruptor's own advice): every event is consumed exactly once, by one thread. A subclass says
 * how many consumers, with which wait strategy, for which producer type.
 *
 * <p>The consumers are the Disruptor's own threads, as in every Disruptor program: the JMH threads are the producers,
 * and the events are counted where they are published ({@link PublishCounters}). The consumers stay alive for the
 * whole trial, so a producer waiting in {@code next()} for space at the end of an iteration is always released, and
 * the trial's end halts them.
 */
@State(Scope.Benchmark)
public abstract class DisruptorContender {

    /** The Disruptor's pre-allocated event: the same two longs as every other contender. */
    static final class Event {
        long userData;
        long result;
    }

    /** Handles the sequences of one shard; the sum keeps the reads of both longs from being optimised away. */
    static final class ShardHandler implements EventHandler<Event> {
        private final int shard;
        private final int shards;
        long sum;
        volatile long published;

        ShardHandler(int shard, int shards) {
            this.shard = shard;
            this.shards = shards;
        }

        @Override
        public void onEvent(Event event, long sequence, boolean endOfBatch) {
            if (sequence % shards == shard) {
                sum += event.userData ^ event.result;
            }
            if (endOfBatch) {
                published = sum;                            // volatile: makes the sum observable once per batch
            }
        }
    }

    @Param("1024")
    int capacity;

    private final int consumers;
    private final Supplier<WaitStrategy> waitStrategy;
    private final ProducerType producerType;
    private Disruptor<Event> disruptor;
    private RingBuffer<Event> ring;
    /** The sequence of a single producer (written only by it); several producers keep their own. */
    long sequence;

    /**
     * {@link ProducerType#MULTI} is the Disruptor's multi-producer sequencer: a CAS to claim, a per-slot availability
     * buffer that the consumers scan.
     */
    protected DisruptorContender(int consumers, Supplier<WaitStrategy> waitStrategy, ProducerType producerType) {
        this.consumers = consumers;
        this.waitStrategy = waitStrategy;
        this.producerType = producerType;
    }

    @Setup(Level.Trial)
    public void start() {
        final AtomicInteger threads = new AtomicInteger();
        disruptor = new Disruptor<>(Event::new, capacity, r -> {
            final Thread t = new Thread(r, "disruptor-consumer-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, producerType, waitStrategy.get());
        @SuppressWarnings("unchecked")
        final EventHandler<Event>[] handlers = new EventHandler[consumers];
        for (int i = 0; i < consumers; i++) {
            handlers[i] = new ShardHandler(i, consumers);
        }
        disruptor.handleEventsWith(handlers);
        ring = disruptor.start();
    }

    @TearDown(Level.Trial)
    public void halt() {
        disruptor.halt();
    }

    /** Claims a slot (waiting in {@code next()} while the ring is full), fills it with seq and publishes it. */
    void publish(long seq, PublishCounters c) {
        final RingBuffer<Event> ring = this.ring;
        final long slot = ring.next();
        fill(ring.get(slot), seq);
        ring.publish(slot);
        c.events++;
    }

    /** As {@link #publish}, without waiting: false, and a full offer counted, if the ring is full. */
    boolean tryPublish(long seq, PublishCounters c) {
        final RingBuffer<Event> ring = this.ring;
        final long slot;
        try {
            slot = ring.tryNext();
        } catch (InsufficientCapacityException full) {    // a shared instance: no allocation
            c.fullOffers++;
            return false;
        }
        fill(ring.get(slot), seq);
        ring.publish(slot);
        c.events++;
        return true;
    }

    private static void fill(Event e, long seq) {
        e.userData = seq;
        e.result = ~seq;
    }
}
