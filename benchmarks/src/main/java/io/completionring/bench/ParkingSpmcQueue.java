package io.completionring.bench;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.SpmcArrayQueue;

import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * JCTools {@link SpmcArrayQueue} with the spin-then-park wait that a user has to add around it to get blocking
 * consumers, since JCTools neither parks nor wakes. Consumers spin {@code spins} polls, then publish themselves in
 * a slot, re-check the queue and park (timed); the producer, after each successful offer, issues a full fence and
 * unparks one published consumer if there is any. The full fences on both sides (the consumer's is the volatile
 * increment of {@code waiters}) are the Dekker pairing without which the last wake-up can be lost.
 *
 * <p>A full queue makes the producer spin, then yield: the consumers are running (they are the only ones that can
 * make room) and a parked producer would need the consumers to unpark it on every poll.
 *
 * <p>Nothing in the wait depends on there being one producer ({@code waiters} is atomic, and a producer claims a
 * parked consumer's slot with a CAS before it unparks it), so the same wrapper around JCTools {@code MpmcArrayQueue}
 * is the multi-producer contender of {@link MultiProducerThroughput}.
 */
final class ParkingSpmcQueue<E> {

    private final MessagePassingQueue<E> queue;
    private final int spins;
    /** Consumers parked or about to park, one slot each; the producer clears a slot before it unparks its thread. */
    private final AtomicReferenceArray<Thread> parked;
    /** The number of occupied slots: the producer's cheap "is anyone parked?" check. */
    private final AtomicInteger waiters = new AtomicInteger();
    private final AtomicInteger nextSlot = new AtomicInteger();

    ParkingSpmcQueue(int capacity, int spins, int maxConsumers) {
        this(new SpmcArrayQueue<>(capacity), spins, maxConsumers);
    }

    /** The same wait around another JCTools queue (MpmcArrayQueue for several producers). */
    ParkingSpmcQueue(MessagePassingQueue<E> queue, int spins, int maxConsumers) {
        this.queue = queue;
        this.spins = spins;
        this.parked = new AtomicReferenceArray<>(maxConsumers);
    }

    /** A slot for a consumer thread to park in; each consumer thread takes one, once. */
    int registerConsumer() {
        final int slot = nextSlot.getAndIncrement();
        if (slot >= parked.length()) {
            throw new IllegalStateException("more than " + parked.length() + " consumers");
        }
        return slot;
    }

    /** Offers without waiting; on success wakes one parked consumer, if any. */
    boolean offer(E e) {
        if (!queue.offer(e)) {
            return false;
        }
        VarHandle.fullFence();                              // the element is visible before we read waiters
        if (waiters.get() != 0) {
            wakeOne();
        }
        return true;
    }

    /**
     * Offers, and while the queue is full spins {@code spins} more offers, then yields between offers, up to the
     * timeout; false if it expired with the queue still full.
     */
    boolean offer(E e, long timeout, TimeUnit unit) {
        if (offer(e)) {
            return true;
        }
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (int i = 0; ; i++) {
            if (i < spins) {
                Thread.onSpinWait();
            } else {
                Thread.yield();                             // let the consumers, which make room, have the core
            }
            if (offer(e)) {
                return true;
            }
            if ((i & 63) == 0 && System.nanoTime() - deadline > 0) {
                return false;
            }
        }
    }

    private void wakeOne() {
        final AtomicReferenceArray<Thread> parked = this.parked;
        for (int i = 0, n = parked.length(); i < n; i++) {
            final Thread t = parked.get(i);
            if (t != null && parked.compareAndSet(i, t, null)) {
                LockSupport.unpark(t);
                return;
            }
        }
    }

    /** Polls, spinning then parking up to the timeout; null if the timeout expired with nothing to take. */
    E poll(int slot, long timeout, TimeUnit unit) {
        final MessagePassingQueue<E> queue = this.queue;
        E e;
        for (int i = spins; i > 0; i--) {
            if ((e = queue.poll()) != null) {
                return e;
            }
            Thread.onSpinWait();
        }
        final Thread me = Thread.currentThread();
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (;;) {
            parked.set(slot, me);                           // 1. publish this consumer
            waiters.incrementAndGet();                      // 2. full fence: published before the re-check
            e = queue.poll();                               // 3. re-check
            final long remaining = deadline - System.nanoTime();
            if (e == null && remaining > 0) {
                LockSupport.parkNanos(this, remaining);     // 4. park; woken by offer, a timeout or spuriously
            }
            parked.compareAndSet(slot, me, null);           // withdraw, unless the producer already did
            waiters.decrementAndGet();
            if (e != null || (e = queue.poll()) != null) {
                return e;
            }
            if (deadline - System.nanoTime() <= 0) {
                return null;
            }
        }
    }
}
