package io.completionring.bench;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An LMAX Disruptor 4 set up as a 1 → N (or, with {@link ProducerType#MULTI}, P → N) work-sharing hand-off: a ring
 * of pre-allocated two-long events and N event-processor threads. Disruptor 4 removed the work-sharing WorkerPool,
 * so each of the N handlers sees every sequence and handles the ones with {@code sequence % N == its index}
 * (sharding, the Disruptor's own advice): every event is consumed exactly once, by one thread.
 *
 * <p>The consumers are the Disruptor's own threads, as in every Disruptor program: the JMH thread (or threads) is the
 * producer.
 * They stay alive for the whole trial, so a producer waiting in {@code next()} for space at the end of an iteration
 * is always released, and {@link #close()} halts them.
 */
final class DisruptorContender implements AutoCloseable {

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

    private final Disruptor<Event> disruptor;
    final RingBuffer<Event> ring;

    DisruptorContender(int capacity, int consumers, WaitStrategy waitStrategy) {
        this(capacity, consumers, waitStrategy, ProducerType.SINGLE);
    }

    /**
     * A Disruptor with the given producer type: {@link ProducerType#MULTI} (its multi-producer sequencer: a CAS to
     * claim, a per-slot availability buffer that the consumers scan) when several threads publish.
     */
    DisruptorContender(int capacity, int consumers, WaitStrategy waitStrategy, ProducerType producerType) {
        final AtomicInteger threads = new AtomicInteger();
        disruptor = new Disruptor<>(Event::new, capacity, r -> {
            Thread t = new Thread(r, "disruptor-consumer-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, producerType, waitStrategy);
        @SuppressWarnings("unchecked")
        final EventHandler<Event>[] handlers = new EventHandler[consumers];
        for (int i = 0; i < consumers; i++) {
            handlers[i] = new ShardHandler(i, consumers);
        }
        disruptor.handleEventsWith(handlers);
        ring = disruptor.start();
    }

    @Override
    public void close() {
        disruptor.halt();
    }
}
