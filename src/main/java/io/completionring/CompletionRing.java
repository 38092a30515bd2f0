package io.completionring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A bounded ring of completion events, modelled on Linux AIO's completion ring: one producer thread publishes
 * events with {@link #complete}, any number of reaper threads take them with {@link #getEvents}, and a request's slot
 * is reserved when it is submitted, so the producer never blocks and the ring never overflows.
 *
 * <pre>{@code
 * CompletionRing ring = CompletionRing.create(1024);
 *
 * // submitting thread (any): reserve the completion slot, then start the request
 * ring.submit();
 * startRead(requestId);
 *
 * // completion thread (one at a time): when a request finishes
 * ring.complete(requestId, bytesRead);
 *
 * // reaper threads (any number)
 * CompletionEvent[] events = CompletionEvent.newArray(64);
 * int n;
 * while ((n = ring.getEvents(1, events.length, events)) != -1) {
 *     for (int i = 0; i < n; i++) {
 *         handle(events[i].userData(), events[i].result());
 *     }
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * {@link #trySubmit()}, {@link #submit()} and their variants may be called from any thread. {@link #complete} and
 * {@link #completeAll} are the producer's: calls must be externally serialized (one completion thread, or a hand-off
 * that establishes happens-before between successive producers), unless the ring was built with {@link
 * Builder#multiProducer(boolean) multiProducer(true)}: then any number of threads may complete at once (the
 * completion handlers of an {@code AsynchronousFileChannel}, say). {@link #getEvents} and {@link #pollEvents} may be
 * called from any number of threads. Waiting threads spin briefly, then park with {@link
 * java.util.concurrent.locks.LockSupport}; nothing takes a monitor, so virtual threads never pin their carrier.
 *
 * <h2>Guarantees</h2>
 * At most {@link #capacity()} requests are submitted and not yet reaped at any time. Every completed event is
 * returned by exactly one {@code getEvents} or {@code pollEvents} call, in completion order, with the userData and
 * result that were completed together; nothing is lost when a call times out, is interrupted or races with
 * {@link #close()}. A reaper parked in {@code getEvents} is woken once the ready events reach what it still needs.
 *
 * <p>Memory consistency effects: actions in the producer prior to {@code complete(e)} (or the {@code completeAll}
 * that includes e) <i>happen-before</i> actions subsequent to the return of the {@code getEvents} or {@code
 * pollEvents} call that returns e, in the thread that made it. A reaper's reads of a slot happen-before the
 * producer's reuse of that slot. Actions in a thread prior to {@code close()} happen-before a {@code
 * RingClosedException} thrown to a submitter, or a return of -1 to a reaper, that the close caused.
 */
public final class CompletionRing implements AutoCloseable {

    /*
     * Implementation overview.
     *
     * State: three monotonically increasing 64-bit sequence counters and the slot arrays.
     *
     *   submitted  slots reserved by trySubmit/submit; CAS by submitters; bit 63 set by close()
     *   tail       events published; written only by the producer (setRelease); in a multi-producer ring, CAS by
     *              the readers that move it over the positions producers have marked written (Availability)
     *   head       events reaped; CAS by reapers
     *
     *   invariant: head <= tail <= submitted <= head + capacity
     *
     *   seq:   ... head             tail            submitted       head + capacity
     *               |   ready        |   in flight   |    free       |
     *   slot:  [ e  e  e  e  e  e  e  .  .  .  .  .  .  .  .  .  .  . ]   (seq & mask)
     *
     * Event seq lives at index PAD + (seq & mask) of userData[] and results[] (two arrays rather than one of pairs:
     * 2 * 2^30 longs would not fit one Java array). Counters never wrap in practice (2^63 events), so head == tail
     * means empty and there is no ABA on the head CAS.
     *
     * The three ordering points (docs/design.md has the full table of fields and access modes):
     *   1. complete: plain slot writes, then setRelease(tail)               -- seed 004: event before tail
     *      getEvents: getAcquire(tail), then plain slot reads
     *   2. getEvents: plain slot reads, then compareAndSet(head)           -- seed 004: read before head moves
     *      the CAS is volatile; a submitter's getAcquire(head) and the producer's getAcquire(submitted) carry the
     *      happens-before on to the producer's reuse of the slot
     *   3. complete: setRelease(tail), Fence.light, read waiter word       -- seed 000: the lost wake-up
     *      waiter:  publish itself, Fence.heavy, re-read tail (WaitQueue)
     *      Both halves are full fences, or, where the JDK allows it (Fence, Membarrier), a compiler barrier for the
     *      producer and a full fence plus membarrier() for the waiter, which parks rarely. The same pair guards
     *      submitters, with full fences: a reaper's head CAS (volatile) then a volatile read of the submitter waiter
     *      word; and close(): getAndBitwiseOr(submitted) then both waiter words.
     *
     * Fast paths. complete with nobody waiting: two plain slot stores, one release store, the light fence, one load
     * of the waiter word (in the counters holder); the producer re-reads submitted (a line submitters write) only
     * when its cached copy says the reservation check might fail. getEvents with events ready: acquire loads of head
     * and tail, the copy, one CAS on head for the whole run (on failure the copy is discarded: another reaper took
     * those events, and the producer may already be rewriting the slots), then one load of the submitter waiter
     * word. trySubmit: one CAS on submitted against a cached head.
     *
     * Waiting: a reaper needs min(minNr - taken, capacity) ready events (capped: a full ring always satisfies it,
     * so a large minNr cannot deadlock; it keeps what it took and waits for the rest); a submitter needs n free
     * slots. WaitQueue spins, then yields, as the WaitPolicy allows, then parks; the side that adds to the supply
     * wakes only the parked waiters the supply satisfies, and none while a waiter of the queue is still spinning or
     * yielding (that one sees the supply first, and passes on what it does not take). A waiter that was chosen and
     * leaves without using the wake-up (interrupt, timeout, close) passes it on by scanning again.
     *
     * Multi-producer rings (Availability): producers claim positions with a CAS on claimed (checked against submitted,
     * so tail <= claimed <= submitted), write their slots with plain stores, mark them written with release stores,
     * then Fence.light and the waiter word, as the single producer does after its tail store (seed 000). Producers
     * never touch the tail: whoever reads it (a reaper's take, a waiter's re-check, a snapshot) first moves it by CAS
     * over every contiguous marked position, as the Disruptor's consumers scan its availability buffer. The rest is
     * shared.
     *
     * Close: one atomic OR of bit 63 into submitted, so every reservation is linearized before or after it. After it,
     * a reaper needs at most what can still arrive: its wait ends when its need is met or when nothing is in flight
     * (tail == submitted); it returns -1 when, in addition, nothing is ready and it took nothing.
     */

    /** The largest capacity: 2^30 slots (two longs each, 16 GiB). */
    public static final int MAX_CAPACITY = 1 << 30;

    /** The default capacity of {@link #builder()}. */
    public static final int DEFAULT_CAPACITY = 1024;

    /** Bit 63 of submitted: the ring is closed. */
    private static final long CLOSED = Long.MIN_VALUE;

    /**
     * Longs between hot counters: 128 bytes, two cache lines, so that adjacent-line prefetch does not couple them.
     * head (written by reapers), tail (by the producer) and submitted (by submitters) must not share a line: each
     * write would otherwise invalidate the line the other sides read on every operation. The two waiter words
     * (written by waiters as they come and go, read on every publication and every reap) get lines of their own.
     */
    private static final int PAD = 16;
    private static final int HEAD = PAD;
    private static final int TAIL = 2 * PAD;
    /** Written only by the producer: the last value of submitted it read. Shares the tail's line, which it writes. */
    private static final int SUBMITTED_SEEN = TAIL + 1;
    private static final int SUBMITTED = 3 * PAD;
    /** Written by submitters: a value head had; head only grows, so a stale copy is merely conservative. */
    private static final int HEAD_SEEN = SUBMITTED + 1;
    /** The waiter words of the two queues (WaitQueue): the number of parked or parking reapers, and submitters. */
    private static final int REAPERS_WAITING = 4 * PAD;
    private static final int SUBMITTERS_WAITING = 5 * PAD;
    /** Multi-producer rings only: positions claimed by producers (CAS); claimed - tail are being written. */
    private static final int CLAIMED = 6 * PAD;
    private static final int COUNTERS_LENGTH = 7 * PAD;

    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle CLOSED_FLAG;

    static {
        try {
            CLOSED_FLAG = MethodHandles.lookup().findVarHandle(CompletionRing.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int capacity;
    private final int mask;
    /** The padded holder of head, tail, submitted, the caches, the waiter words and claimed, at the indices above. */
    private final long[] counters = new long[COUNTERS_LENGTH];
    /** Event seq at PAD + (seq & mask); PAD longs at either end keep other objects off the first and last lines. */
    private final long[] userData;
    private final long[] results;
    private final WaitQueue reapers;
    private final WaitQueue submitters;
    /** The reapers' batching pause: how long a getEvents that may take many waits before its first look. */
    private final BatchPause batchPause = new BatchPause();
    /** The per-slot publication of a multi-producer ring; null in a single-producer ring. */
    private final Availability availability;
    /** Reads the counters for the snapshot methods: {@link #snapshotRead}. */
    private final Snapshot.Counters counterReader = this::snapshotRead;
    /**
     * Set by close() after bit 63 of submitted, and never cleared. Reapers test it rather than submitted, whose line
     * the submitters write on every reservation; once they see it, submitted no longer changes.
     */
    private boolean closed;

    private CompletionRing(int capacity, int spins, long yieldNanos, boolean multiProducer) {
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.userData = new long[capacity + 2 * PAD];
        this.results = new long[capacity + 2 * PAD];
        this.availability = multiProducer ? new Availability(capacity, counters, TAIL) : null;
        final int processors = Runtime.getRuntime().availableProcessors();
        // The reapers' waiters fence with Fence.heavy: producers, single or many, publish with Fence.light.
        this.reapers = new WaitQueue(this::readyForReapers, new WaitPolicy(spins, yieldNanos, processors), this,
                counters, REAPERS_WAITING, true);
        this.submitters = new WaitQueue(this::freeForSubmitters, new WaitPolicy(spins, yieldNanos, processors), this,
                counters, SUBMITTERS_WAITING, false);       // their signallers' head CAS is a full fence
        WaitEvents.ringCreated();                           // JFR's event types, registered here rather than in a wait
    }

    /**
     * Creates a ring with room for {@code capacity} submitted-and-not-yet-reaped requests, rounded up to a power of
     * two, and the default spin budget.
     *
     * @param capacity the most requests submitted and not yet reaped (rounded up to a power of two)
     * @return a new ring
     * @throws IllegalArgumentException if capacity is not between 1 and {@link #MAX_CAPACITY}
     */
    public static CompletionRing create(int capacity) {
        return builder().capacity(capacity).build();
    }

    /**
     * Returns a builder, with capacity {@value #DEFAULT_CAPACITY} and the default wait policy.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link CompletionRing}. */
    public static final class Builder {
        private int capacity = DEFAULT_CAPACITY;
        private int spinBudget = WaitPolicy.DEFAULT_SPINS;
        private long yieldNanos = WaitPolicy.DEFAULT_YIELD_NANOS;
        private boolean multiProducer;

        private Builder() {
        }

        /**
         * Sets whether {@link #complete} and {@link #completeAll} may be called concurrently from any number of
         * threads (true), or must be externally serialized (false, the default). A multi-producer ring keeps every
         * guarantee of a single-producer one: the events of one {@code completeAll} call are consecutive and in
         * order, and one thread's successive calls appear in its call order; a call with no reservation outstanding
         * throws and publishes nothing, however many producers race for the last reservations. Its {@code complete}
         * costs a CAS (the claim) more than a single producer's, and its reapers move the tail over the published
         * events, a CAS per run they take; a single-producer ring pays one test of a final field for the mode's
         * existence. In a multi-producer ring the reservation check counts claimed events: {@code complete} throws
         * once every submitted request has been claimed by a producer, even if some are still being written; and a
         * producer that dies between its claim and its publication holds back every later event for good.
         *
         * @param multiProducer true to allow concurrent producers
         * @return this builder
         */
        public Builder multiProducer(boolean multiProducer) {
            this.multiProducer = multiProducer;
            return this;
        }

        /**
         * Sets the capacity: the number of requests that may be submitted and not yet reaped, rounded up to a
         * power of two.
         *
         * @param capacity the most requests submitted and not yet reaped
         * @return this builder
         * @throws IllegalArgumentException if capacity is not between 1 and {@link #MAX_CAPACITY}
         */
        public Builder capacity(int capacity) {
            if (capacity < 1 || capacity > MAX_CAPACITY) {
                throw new IllegalArgumentException(
                        "capacity must be between 1 and " + MAX_CAPACITY + ", was " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /**
         * Sets the most {@link Thread#onSpinWait()} rounds a waiting thread busy-spins before it yields (see {@link
         * #yieldBudget}); 0 turns off both spinning and yielding: a waiting thread parks at once. The default, {@value
         * WaitPolicy#DEFAULT_SPINS}, is a few microseconds. The budget in use adapts between this value and {@code
         * min(32, spinBudget)}: it shrinks by a quarter after each spin that ended without its events (or slots) and
         * doubles after each that got them. At most {@code availableProcessors - 1} threads of a ring spin at once
         * (none on a single core), so spinners leave a core for the producer; the others go straight to yielding.
         *
         * @param spinBudget the most onSpinWait rounds of a spin; 0 to park at once
         * @return this builder
         * @throws IllegalArgumentException if spinBudget is negative
         */
        public Builder spinBudget(int spinBudget) {
            if (spinBudget < 0) {
                throw new IllegalArgumentException("spinBudget must be >= 0, was " + spinBudget);
            }
            this.spinBudget = spinBudget;
            return this;
        }

        /**
         * Sets how long a waiting thread yields its core ({@link Thread#yield()}, looking at the ring after each) once
         * its spin is over, before it parks; {@link Duration#ZERO} parks right after the spin. The default is 50
         * microseconds. A thread that has not parked needs no unpark, and the unpark system call is the largest cost
         * a busy producer pays; a yielding thread gives its core to any other thread that wants it. The time in use
         * adapts between 0 and this value: it shrinks after a yield phase that ended without its events (to 0 below 2
         * microseconds, so that where events are sparse a waiter parks right after its spin) and grows after one that
         * saw them, or after a park shorter than the budget. At most {@code availableProcessors} threads of a ring
         * spin or yield at once; the others park at once. Ignored when the spin budget is 0.
         *
         * @param yieldBudget the most time a waiting thread yields before it parks
         * @return this builder
         * @throws NullPointerException     if yieldBudget is null
         * @throws IllegalArgumentException if yieldBudget is negative
         */
        public Builder yieldBudget(Duration yieldBudget) {
            Objects.requireNonNull(yieldBudget, "yieldBudget");
            if (yieldBudget.isNegative()) {
                throw new IllegalArgumentException("yieldBudget must be >= 0, was " + yieldBudget);
            }
            this.yieldNanos = TimeUnit.NANOSECONDS.convert(yieldBudget);  // saturates, never throws
            return this;
        }

        /**
         * Creates the ring.
         *
         * @return a new ring with this builder's settings
         */
        public CompletionRing build() {
            final int rounded = capacity == 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
            return new CompletionRing(rounded, spinBudget, yieldNanos, multiProducer);
        }
    }

    /**
     * Returns the capacity: a power of two, the requested capacity rounded up.
     *
     * @return the most requests that may be submitted and not yet reaped
     */
    public int capacity() {
        return capacity;
    }

    /**
     * Returns whether this ring was built with {@link Builder#multiProducer(boolean) multiProducer(true)}: whether
     * {@link #complete} and {@link #completeAll} may be called concurrently.
     *
     * @return true if producers may call concurrently
     */
    public boolean isMultiProducer() {
        return availability != null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Submission side: any thread.

    /**
     * Reserves the completion slot of one request, if one is free.
     *
     * @return true if a slot was reserved, false if {@code capacity()} requests are submitted and not yet reaped
     * @throws RingClosedException if the ring is closed
     */
    public boolean trySubmit() {
        return reserve(1);
    }

    /**
     * Reserves the completion slots of {@code n} requests, all or none.
     *
     * @param n the number of slots to reserve
     * @return true if n slots were reserved, false (and nothing reserved) if fewer are free
     * @throws IllegalArgumentException if n is not between 1 and {@code capacity()}
     * @throws RingClosedException      if the ring is closed
     */
    public boolean trySubmit(int n) {
        if (n < 1 || n > capacity) {
            throw new IllegalArgumentException("n must be between 1 and capacity " + capacity + ", was " + n);
        }
        return reserve(n);
    }

    /**
     * Reserves the completion slot of one request, waiting for a reaper to free one if necessary.
     *
     * @throws InterruptedException if the thread is interrupted while waiting (nothing is reserved)
     * @throws RingClosedException  if the ring is closed, or closes while this thread waits (nothing is reserved)
     */
    public void submit() throws InterruptedException {
        if (!reserve(1)) {
            awaitSlot(false, 0L);
        }
    }

    /**
     * Reserves the completion slot of one request, waiting up to the timeout for a reaper to free one.
     *
     * @return true if a slot was reserved, false if the timeout expired first (a non-positive timeout does not wait)
     * @param timeout the most time to wait, in units of {@code unit}
     * @param unit    the unit of {@code timeout}
     * @throws NullPointerException if unit is null
     * @throws InterruptedException if the thread is interrupted while waiting (nothing is reserved)
     * @throws RingClosedException  if the ring is closed, or closes while this thread waits (nothing is reserved)
     */
    public boolean submit(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        if (reserve(1)) {
            return true;
        }
        final long nanos = unit.toNanos(timeout);
        return nanos > 0 && awaitSlot(true, System.nanoTime() + nanos);
    }

    private boolean reserve(int n) {
        final long[] counters = this.counters;
        for (;;) {
            final long s = (long) COUNTER.getVolatile(counters, SUBMITTED); // the value the CAS below expects
            if (s < 0) {
                throw new RingClosedException("ring is closed");
            }
            if (s + n > (long) COUNTER.getAcquire(counters, HEAD_SEEN) + capacity) {
                // Acquire: the reads of the reaper that freed these slots happen-before our CAS, and so before the
                // producer's getAcquire(submitted) and its rewrite of the slots (seed 004, second half).
                final long h = (long) COUNTER.getAcquire(counters, HEAD);
                if (s + n > h + capacity) {
                    return false;
                }
                COUNTER.setRelease(counters, HEAD_SEEN, h);   // release: passes that happens-before on to its readers
            }
            if (COUNTER.compareAndSet(counters, SUBMITTED, s, s + n)) { // fails on close (bit 63) and on races
                return true;
            }
        }
    }

    private boolean awaitSlot(boolean timed, long deadline) throws InterruptedException {
        final Object event = WaitEvents.beginSubmitterWait(); // a JFR event if a recording wants one, else null
        int outcome = WaitEvents.CLOSE;                     // unless an exit below sets another: reserve(1) threw
        boolean chosen = false;
        try {
            for (;;) {
                final int status = submitters.await(1, 1, timed, deadline);
                chosen |= (status & WaitQueue.CHOSEN) != 0;
                if ((status & WaitQueue.INTERRUPTED) != 0) {
                    outcome = WaitEvents.INTERRUPT;
                    throw new InterruptedException();
                }
                if (reserve(1)) {
                    outcome = WaitEvents.MET;
                    return true;
                }
                if ((status & WaitQueue.TIMED_OUT) != 0) {
                    outcome = WaitEvents.TIMEOUT;
                    submitters.countTimeout();
                    return false;
                }
            }
        } finally {
            if (chosen) {
                submitters.signalWaiters();                 // pass on a wake-up we may not have used
            }
            WaitEvents.endSubmitterWait(event, 1, outcome == WaitEvents.MET ? 1 : 0, capacity, outcome);
        }
    }

    /** The slots free for submitters, or Long.MAX_VALUE once closed (every submitter must wake and throw). */
    private long freeForSubmitters() {
        final long[] counters = this.counters;
        final long s = (long) COUNTER.getVolatile(counters, SUBMITTED);
        if (s < 0) {
            return Long.MAX_VALUE;
        }
        return (long) COUNTER.getAcquire(counters, HEAD) + capacity - s;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Completion side: the producer, one call at a time (or, in a multi-producer ring, any number at once).

    /**
     * Publishes one completion event. Never blocks: its slot was reserved when the request was submitted.
     *
     * @param userData what identifies the request, handed to the reaper as {@link CompletionEvent#userData()}
     * @param result   the request's result, handed to the reaper as {@link CompletionEvent#result()}
     * @throws IllegalStateException if every submitted request has already been completed (nothing is published)
     */
    public void complete(long userData, long result) {
        if (availability != null) {
            completeConcurrently(userData, result);
            return;
        }
        final long[] counters = this.counters;
        final long t = counters[TAIL];                      // plain: only the producer writes the tail
        checkReserved(t, 1);
        final int i = PAD + ((int) t & mask);
        this.userData[i] = userData;                        // plain: published by the release store below
        this.results[i] = result;
        publish(t + 1);
    }

    /**
     * Publishes {@code count} completion events, {@code userData[offset + k]} with {@code results[offset + k]}, in
     * order, with one publication: reapers see all of them or none, and parked reapers are woken once.
     *
     * @param userData the requests' userData, at {@code offset .. offset + count - 1}
     * @param results  their results, at the same indices
     * @param offset   the index of the first event in both arrays
     * @param count    the number of events
     * @throws NullPointerException     if an array is null
     * @throws IllegalArgumentException if offset or count is negative or the range exceeds either array
     * @throws IllegalStateException    if fewer than count submitted requests are not yet completed (nothing is
     *                                  published)
     */
    public void completeAll(long[] userData, long[] results, int offset, int count) {
        Objects.requireNonNull(userData, "userData");
        Objects.requireNonNull(results, "results");
        if (offset < 0 || count < 0 || offset > userData.length - count || offset > results.length - count) {
            throw new IllegalArgumentException("offset " + offset + " and count " + count
                    + " must lie within userData (length " + userData.length + ") and results (length "
                    + results.length + ")");
        }
        if (count == 0) {
            return;
        }
        if (availability == null) {
            final long t = this.counters[TAIL];             // plain: only the producer writes the tail
            checkReserved(t, count);
            write(t, userData, results, offset, count);     // plain: published by the release store below
            publish(t + count);
        } else {
            final long from = claim(count);
            write(from, userData, results, offset, count);  // plain: published by the marks' release stores
            publishConcurrently(from, count);
        }
    }

    /** Writes events [from, from + count) into their slots; plain stores, published by the caller. */
    private void write(long from, long[] userData, long[] results, int offset, int count) {
        final long[] slotUserData = this.userData;
        final long[] slotResults = this.results;
        for (int k = 0; k < count; k++) {
            final int i = PAD + ((int) (from + k) & mask);
            slotUserData[i] = userData[offset + k];
            slotResults[i] = results[offset + k];
        }
    }

    /** complete() in a multi-producer ring: claim a position, write its slot, publish it (Availability). */
    private void completeConcurrently(long userData, long result) {
        final long c = claim(1);
        final int i = PAD + ((int) c & mask);
        this.userData[i] = userData;                        // plain: published by the mark's release store
        this.results[i] = result;
        publishConcurrently(c, 1);
    }

    /**
     * Claims positions [c, c + n) for a producer of a multi-producer ring and returns c; throws, claiming nothing,
     * unless requests [c, c + n) have been submitted. Claims are made in order with a CAS, so exactly the calls that
     * would take claimed beyond submitted fail, however many producers race.
     */
    private long claim(int n) {
        final long[] counters = this.counters;
        for (;;) {
            final long c = (long) COUNTER.getVolatile(counters, CLAIMED);
            // Acquire: a submitter's reservation (and the reaper reads it was made after) happen-before this
            // producer's rewrite of the slot. No cached copy as the single producer keeps: producers that each submit
            // and then complete would find it stale on almost every call, and pay for rewriting it besides.
            final long s = (long) COUNTER.getAcquire(counters, SUBMITTED) & ~CLOSED;
            if (c + n > s) {                                // claimed only grows: the call fails at this read
                throw notSubmitted(n, c + n, s);
            }
            if (COUNTER.compareAndSet(counters, CLAIMED, c, c + n)) {
                return c;
            }
        }
    }

    /**
     * Publishes positions [from, from + n) of a multi-producer ring: marks them written, then the waiter check, as
     * {@link #publish} does after its tail store. Every producer checks, whether or not its positions are the next to
     * be read: a reaper that must wait re-reads the marks after it raises the waiter word, so one of the two sees the
     * other (seed 000), and a waiter woken for positions still behind an unwritten one waits on.
     */
    private void publishConcurrently(long from, int n) {
        availability.mark(from, n);                         // seed 004: the slot writes before the marks
        wakeReapers();
    }

    /**
     * The tail, read with acquire: in a multi-producer ring, first moved over every contiguous position the producers
     * have marked written (Availability.advance), so that a reader sees every event published before its read.
     */
    private long tail() {
        final Availability availability = this.availability;
        return availability == null ? (long) COUNTER.getAcquire(counters, TAIL) : availability.advance();
    }

    /** Throws unless requests [t, t + n) have been submitted; reads submitted only when the cached copy falls short. */
    private void checkReserved(long t, int n) {
        final long[] counters = this.counters;
        if (t + n > counters[SUBMITTED_SEEN]) {             // plain: only the producer writes it
            // Acquire: a submitter's reservation (and the reaper reads it was made after) happen-before our rewrite.
            final long s = (long) COUNTER.getAcquire(counters, SUBMITTED) & ~CLOSED;
            if (t + n > s) {
                throw notSubmitted(n, t + n, s);
            }
            if (t + n < s) {                                // worth keeping only if it covers a later call
                counters[SUBMITTED_SEEN] = s;
            }
        }
    }

    /** The exception of a completion beyond the reservations, for both modes; thrown before anything changed. */
    private static IllegalStateException notSubmitted(int n, long completed, long submitted) {
        return new IllegalStateException("complete without a submitted request: completing " + n
                + " would make completed " + completed + " exceed submitted " + submitted);
    }

    private void publish(long newTail) {
        COUNTER.setRelease(counters, TAIL, newTail);        // seed 004: the slot writes are visible before the tail
        wakeReapers();
    }

    /**
     * The producer's half of seed 000, after its publication (the tail store, or a multi-producer ring's marks):
     * Fence.light, then one load of the reapers' waiter word, and the wake-up of the waiters the supply serves.
     */
    private void wakeReapers() {
        Fence.light();                                      // seed 000: the publication before the waiter check
        if ((long) COUNTER.getVolatile(counters, REAPERS_WAITING) != 0) {
            reapers.signalWaiters();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reaping side: any number of threads.

    /**
     * Takes between {@code minNr} and {@code nr} events, waiting as long as necessary for {@code minNr}; the same as
     * the timed form with an infinite timeout.
     *
     * @param minNr  the fewest events to wait for
     * @param nr     the most events to take
     * @param events the holders to copy the events into, {@code events[0..n)}
     * @return the number of events taken, or -1 if the ring is closed and nothing is ready or in flight
     * @throws InterruptedException if the thread is interrupted while it must wait and has taken nothing
     * @see #getEvents(int, int, CompletionEvent[], long, TimeUnit)
     */
    public int getEvents(int minNr, int nr, CompletionEvent[] events) throws InterruptedException {
        checkEventArgs(minNr, nr, events);
        return reap(minNr, nr, events, false, 0L);
    }

    /**
     * Takes between {@code minNr} and {@code nr} events into {@code events[0..n)}, in completion order, waiting up to
     * the timeout for {@code minNr} of them, like {@code io_getevents}. On entry, every {@code null} element of
     * {@code events[0..nr)} is replaced by a new holder, so that a later call with the same array allocates nothing,
     * whatever this one returns.
     *
     * <p>The call returns fewer than {@code minNr} events only when the timeout expires (it then returns what it
     * could take, possibly 0), when the thread is interrupted after it has taken events (it returns them and leaves
     * the interrupt status set), or when the ring is closed and fewer events can still arrive. {@code minNr == 0} or
     * a non-positive timeout never waits. While waiting, a reaper needs at most {@code capacity()} events at a time:
     * it keeps the events it took and waits for the rest, so a large minNr cannot deadlock a full ring.
     *
     * @param minNr   the fewest events to wait for
     * @param nr      the most events to take
     * @param events  the holders to copy the events into, {@code events[0..n)}
     * @param timeout the most time to wait, in units of {@code unit}
     * @param unit    the unit of {@code timeout}
     * @return the number of events taken, or -1 if the ring is closed and nothing is ready or in flight
     * @throws NullPointerException     if events or unit is null
     * @throws IllegalArgumentException if minNr &lt; 0, nr &lt; 1, minNr &gt; nr or nr &gt; events.length
     * @throws InterruptedException     if the thread is interrupted while it must wait and has taken nothing; an
     *                                  interrupted waiter looks at the ring once more first, so events completed
     *                                  before the interrupt are returned (with the interrupt status left set) rather
     *                                  than this exception
     */
    public int getEvents(int minNr, int nr, CompletionEvent[] events, long timeout, TimeUnit unit)
            throws InterruptedException {
        checkEventArgs(minNr, nr, events);
        Objects.requireNonNull(unit, "unit");
        return reapTimed(minNr, nr, events, unit.toNanos(timeout));
    }

    /**
     * The same as {@link #getEvents(int, int, CompletionEvent[], long, TimeUnit)} with a {@link Duration}.
     *
     * @param minNr   the fewest events to wait for
     * @param nr      the most events to take
     * @param events  the holders to copy the events into, {@code events[0..n)}
     * @param timeout the most time to wait
     * @return the number of events taken, or -1 if the ring is closed and nothing is ready or in flight
     * @throws NullPointerException if events or timeout is null
     * @throws InterruptedException if the thread is interrupted while it must wait and has taken nothing
     */
    public int getEvents(int minNr, int nr, CompletionEvent[] events, Duration timeout) throws InterruptedException {
        checkEventArgs(minNr, nr, events);
        Objects.requireNonNull(timeout, "timeout");
        return reapTimed(minNr, nr, events, TimeUnit.NANOSECONDS.convert(timeout)); // saturates, never throws
    }

    /**
     * Takes up to {@code nr} ready events into {@code events[0..n)}, in completion order, without waiting. On entry,
     * every {@code null} element of {@code events[0..nr)} is replaced by a new holder, as in {@code getEvents}.
     *
     * @param nr     the most events to take
     * @param events the holders to copy the events into, {@code events[0..n)}
     * @return the number of events taken (possibly 0), or -1 if the ring is closed and nothing is ready or in flight
     * @throws NullPointerException     if events is null
     * @throws IllegalArgumentException if nr &lt; 1 or nr &gt; events.length
     */
    public int pollEvents(int nr, CompletionEvent[] events) {
        checkEventArgs(0, nr, events);
        return poll(events, nr);
    }

    private static void checkEventArgs(int minNr, int nr, CompletionEvent[] events) {
        Objects.requireNonNull(events, "events");
        if (nr < 1 || nr > events.length) {
            throw new IllegalArgumentException(
                    "nr must be between 1 and events.length " + events.length + ", was " + nr);
        }
        if (minNr < 0 || minNr > nr) {
            throw new IllegalArgumentException("minNr must be between 0 and nr " + nr + ", was " + minNr);
        }
    }

    /**
     * Fills the null holders of events[from..nr). The contract fills every null holder of events[0..nr) on entry;
     * the copy fills those it takes events into, and this the rest, before the call returns or waits: the caller
     * cannot tell the difference, and a call that takes nr events (a full batch) pays for no scan.
     */
    private static void fillHolders(CompletionEvent[] events, int from, int nr) {
        for (int i = from; i < nr; i++) {
            if (events[i] == null) {
                events[i] = new CompletionEvent();
            }
        }
    }

    /** Takes what is ready, without waiting. */
    private int poll(CompletionEvent[] events, int nr) {
        final int n = take(events, 0, nr);
        fillHolders(events, n, nr);
        return n > 0 ? n : emptyResult();
    }

    private int reapTimed(int minNr, int nr, CompletionEvent[] events, long nanos) throws InterruptedException {
        if (nanos <= 0) {
            return poll(events, nr);
        }
        return reap(minNr, nr, events, true, System.nanoTime() + nanos);
    }

    private int reap(int minNr, int nr, CompletionEvent[] events, boolean timed, long deadline)
            throws InterruptedException {
        if (minNr == 0) {
            return poll(events, nr);
        }
        final int n;
        if (nr < BatchPause.MIN_NR) {
            n = take(events, 0, nr);
        } else {
            final int paused = batchPause.rounds();
            WaitPolicy.pause(paused);                       // let events accumulate, where that pays: BatchPause
            n = take(events, 0, nr);
            batchPause.taken(paused, n);
        }
        if (n >= minNr) {
            fillHolders(events, n, nr);
            return n;
        }
        return awaitEvents(minNr, nr, events, n, timed, deadline);
    }

    /** The result of a call that took nothing and may not wait: 0, or -1 if closed with nothing ready or in flight. */
    private int emptyResult() {
        return (boolean) CLOSED_FLAG.getVolatile(this)
                && (long) COUNTER.getAcquire(counters, HEAD) == submittedCount() ? -1 : 0;
    }

    /** The number of reservations ever made, without the closed bit. */
    private long submittedCount() {
        return (long) COUNTER.getVolatile(counters, SUBMITTED) & ~CLOSED;
    }

    private int awaitEvents(int minNr, int nr, CompletionEvent[] events, int taken, boolean timed, long deadline)
            throws InterruptedException {
        fillHolders(events, taken, nr);                     // before any wait: however it ends, they are filled
        final Object event = WaitEvents.beginReaperWait();  // a JFR event if a recording wants one, else null
        int outcome = WaitEvents.CLOSE;                     // every exit below says how the wait ended
        boolean chosen = false;
        try {
            for (;;) {                                      // here taken < minNr
                final int status = reapers.await(Math.min(minNr - taken, capacity), nr - taken, timed, deadline);
                chosen |= (status & WaitQueue.CHOSEN) != 0;
                if ((status & WaitQueue.INTERRUPTED) != 0) {
                    outcome = WaitEvents.INTERRUPT;
                    // Like io_getevents, look at the ring once more before giving up: events completed before the
                    // interrupt are returned, not hidden behind the exception (Thread.interrupt happens-before our
                    // seeing it, so their tail is visible to this take).
                    taken += take(events, taken, nr - taken);
                    if (taken == 0) {
                        throw new InterruptedException();
                    }
                    Thread.currentThread().interrupt();     // keep the status for the caller; return what we have
                    return taken;
                }
                taken += take(events, taken, nr - taken);
                if (taken >= minNr) {
                    outcome = WaitEvents.MET;
                    return taken;
                }
                if ((status & WaitQueue.TIMED_OUT) != 0) {
                    outcome = WaitEvents.TIMEOUT;
                    reapers.countTimeout();
                    return taken;
                }
                if ((boolean) CLOSED_FLAG.getVolatile(this)
                        && (long) COUNTER.getAcquire(counters, HEAD) == submittedCount()) {
                    outcome = WaitEvents.CLOSE;
                    return taken > 0 ? taken : -1;          // closed, nothing ready or in flight: none can arrive
                }
            }
        } finally {
            if (chosen) {
                reapers.signalWaiters();                    // pass on a wake-up we may not have used
            }
            WaitEvents.endReaperWait(event, minNr, nr, taken, capacity, outcome);
        }
    }

    /**
     * Events ready for a reaper's need, or Long.MAX_VALUE once closed with nothing in flight (no more events can
     * arrive: every reaper must wake and take what is left or return -1).
     */
    private long readyForReapers() {
        final long[] counters = this.counters;
        final long h = (long) COUNTER.getAcquire(counters, HEAD);   // head before tail: the difference is >= 0
        final long t = tail();
        if ((boolean) CLOSED_FLAG.getVolatile(this) && t == submittedCount()) {
            return Long.MAX_VALUE;
        }
        return t - h;
    }

    /**
     * Copies up to max ready events into events[from..), moves the head past them with one CAS and returns how many;
     * 0 if none are ready.
     */
    private int take(CompletionEvent[] events, int from, int max) {
        final long[] counters = this.counters;
        final long[] userData = this.userData;
        final long[] results = this.results;
        for (;;) {
            final long h = (long) COUNTER.getAcquire(counters, HEAD);
            final long t = tail();                          // seed 004: acquire; events before t are visible
            final int n = (int) Math.min(t - h, max);
            if (n <= 0) {
                return 0;
            }
            int k = from;
            int i = (int) h & mask;
            final int end = from + n;
            do {                                            // plain: may be torn if another reaper won; see the CAS
                CompletionEvent e = events[k];
                if (e == null) {
                    events[k] = e = new CompletionEvent();  // a null holder, filled as the contract says
                }
                e.set(userData[PAD + i], results[PAD + i]);
                i = (i + 1) & mask;
            } while (++k < end);
            // Seed 004: the slot reads above complete before the head moves (a CAS is a volatile write), so the
            // producer cannot rewrite a slot we are still reading. If the CAS fails, another reaper took these
            // events and the copy may be torn: discard it and start again.
            if (COUNTER.compareAndSet(counters, HEAD, h, h + n)) {
                // The waiter word's volatile read follows the CAS: the seed-000 pairing for submitters.
                if ((long) COUNTER.getVolatile(counters, SUBMITTERS_WAITING) != 0) {
                    submitters.signalWaiters();
                }
                return n;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Snapshots and close.

    /**
     * A volatile read of counter i, without the closed bit; in a multi-producer ring a read of the tail first moves it
     * over the marked positions (Availability.advance, whose reads of the tail are volatile too).
     */
    private long snapshotRead(int i) {
        final Availability availability = this.availability;
        return i == TAIL && availability != null
                ? availability.advance()
                : (long) COUNTER.getVolatile(counters, i) & ~CLOSED;
    }

    /**
     * Returns the number of events completed and not yet reaped: a snapshot, between 0 and {@link #capacity()}.
     * <p>Each snapshot method returns a value the ring held at one instant during the call, whatever the scheduling
     * of the calling thread; only if the counters keep moving through many readings in a row is the last reading
     * clamped into range instead.
     *
     * @return the events ready to be reaped
     */
    public int ready() {
        return (int) Snapshot.difference(counterReader, TAIL, HEAD, 0, capacity);
    }

    /**
     * Returns the number of requests submitted and not yet completed: a snapshot, between 0 and capacity().
     *
     * @return the requests in flight
     */
    public int inFlight() {
        return (int) Snapshot.difference(counterReader, SUBMITTED, TAIL, 0, capacity);
    }

    /**
     * Returns the number of slots free for {@code trySubmit}: a snapshot, between 0 and capacity(); 0 once the ring
     * is closed.
     *
     * @return the slots free for submission
     */
    public int remainingCapacity() {
        if (isClosed()) {
            return 0;
        }
        return (int) Snapshot.difference(counterReader, HEAD, SUBMITTED, capacity, capacity);
    }

    /**
     * Returns true once {@link #close()} has been called.
     *
     * @return whether the ring is closed
     */
    public boolean isClosed() {
        return (long) COUNTER.getVolatile(counters, SUBMITTED) < 0;
    }

    /**
     * Closes the ring; idempotent, never blocks. Afterwards {@code trySubmit} and {@code submit} throw {@link
     * RingClosedException} (submitters parked in {@code submit} wake and throw it); {@code complete} still works for
     * the requests submitted before; reapers parked in {@code getEvents} wake and re-evaluate: each needs at most the
     * events that can still arrive (ready + in flight), and {@code getEvents} returns -1 once nothing is ready or in
     * flight.
     */
    @Override
    public void close() {
        // A volatile read-modify-write: every reservation CAS is ordered before or after it, and the waiter-word reads
        // below cannot move above it (the seed-000 pairing with a waiter's publish-fence-recheck).
        final long s = (long) COUNTER.getAndBitwiseOr(counters, SUBMITTED, CLOSED);
        if (s < 0) {
            return;
        }
        CLOSED_FLAG.setVolatile(this, true);                // for reapers, who do not read submitted's line
        submitters.signalWaiters();
        reapers.signalWaiters();
    }

    /**
     * Returns a snapshot of the ring's counters; cheap, takes no lock. Its submitted, completed and reaped counts are
     * ones the ring held at one instant (see {@link #ready()}), so {@code reaped <= completed <= submitted <= reaped
     * + capacity()}; the slow-path counts (parks, unparks, timeouts, waiters) are read separately.
     *
     * @return the counters now
     */
    public RingStats stats() {
        return Snapshot.stats(counterReader, HEAD, TAIL, SUBMITTED, capacity,
                reapers.parks() + submitters.parks(),
                reapers.unparks() + submitters.unparks(),
                reapers.timeouts() + submitters.timeouts(),
                reapers.waiting() + submitters.waiting());
    }

    @Override
    public String toString() {
        final RingStats s = stats();
        return "CompletionRing[capacity=" + capacity + ", submitted=" + s.submitted() + ", completed="
                + s.completed() + ", reaped=" + s.reaped() + ", closed=" + isClosed() + "]";
    }
}
