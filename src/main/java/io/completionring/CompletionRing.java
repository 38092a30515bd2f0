package io.completionring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static io.completionring.PaddedLongs.PAD;
import static io.completionring.PaddedLongs.compareAndSet;
import static io.completionring.PaddedLongs.getAcquire;
import static io.completionring.PaddedLongs.getAndBitwiseOr;
import static io.completionring.PaddedLongs.getVolatile;
import static io.completionring.PaddedLongs.setRelease;

/**
 * A bounded ring of completion events, modelled on Linux AIO's completion ring: a producer publishes events with
 * {@link #complete}, any number of reaper threads take them with {@link #getEvents}, and a request's slot is reserved
 * when it is submitted, so the producer never blocks and the ring never overflows.
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
 * At most {@link #capacity()} requests are submitted and not yet reaped at any time; every {@code submit} needs
 * exactly one {@code complete} (a request that fails completes with a negative result, say). Every completed event is
 * returned by exactly one {@code getEvents} or {@code pollEvents} call, in completion order, with the userData and
 * result that were completed together; nothing is lost when a call times out, is interrupted or races with {@link
 * #close()}. A reaper parked in {@code getEvents} is woken once the ready events reach what it still needs.
 *
 * <p>Each call takes its events in runs: a run is taken atomically, at the instant the call moves the ring's head past
 * it, and holds between 1 and {@code min(nr, ready)} events, where {@code ready} is the number ready at that instant;
 * it may hold fewer than were ready then (events completed while the call copied the run stay for the next call). A
 * call that returns 0 or -1 saw nothing ready at the instant it looked. {@code pollEvents} and a {@code getEvents}
 * with {@code minNr <= 1} take one run; a {@code getEvents} with {@code minNr > 1} may take several, so its events are
 * in completion order but need not be consecutive (other reapers may take events between its runs).
 *
 * <p>Memory consistency effects: actions in the producer prior to {@code complete(e)} (or the {@code completeAll}
 * that includes e) <i>happen-before</i> actions subsequent to the return of the {@code getEvents} or {@code
 * pollEvents} call that returns e, in the thread that made it. A reaper's reads of a slot happen-before the
 * producer's reuse of that slot. Actions in a thread prior to {@code close()} happen-before a {@code
 * RingClosedException} thrown to a submitter, or a return of -1 to a reaper, that the close caused.
 */
public abstract sealed class CompletionRing implements AutoCloseable permits SingleProducerRing, MultiProducerRing {

    /*
     * Implementation overview.
     *
     * State: three monotonically increasing 64-bit sequence counters and the slots.
     *
     *   submitted  slots reserved by trySubmit/submit; CAS by submitters; CLOSED_BIT (bit 63) set by close()
     *   tail       events published (SingleProducerRing: release store by the producer; MultiProducerRing: CAS by
     *              the readers that move it over the positions producers have marked written)
     *   head       events reaped; CAS by reapers
     *
     *   invariant: head <= tail <= submitted <= head + capacity
     *
     *   seq:   ... head             tail            submitted       head + capacity
     *               |   ready        |   in flight   |    free       |
     *   slot:  [ e  e  e  e  e  e  e  .  .  .  .  .  .  .  .  .  .  . ]   (seq & mask)
     *
     * Event seq lives at index PAD + (seq & mask) of userData and results (two arrays rather than one of pairs: 2 * 2^30
     * longs would not fit one Java array). Counters never wrap in practice (2^63 events), so head == tail means empty
     * and there is no ABA on the head CAS.
     *
     * This class holds what both modes share: reservation (submitters), reaping and waiting (reapers), snapshots and
     * close. A subclass publishes: SingleProducerRing for one producer at a time, MultiProducerRing for concurrent
     * ones. Each mode's publishedTail() is the reapers' acquire read of the tail.
     *
     * The ordering points, named by the property each protects (docs/design.md has the full table of fields and access
     * modes, docs/kernel-bugs.md the kernel bug each one prevents):
     *   event before tail     complete: plain slot writes, then the release that publishes them (the tail store, or
     *                         a multi-producer mark); takeReady: publishedTail() (acquire), then plain slot reads
     *   read before head      takeReady: plain slot reads, then compareAndSet(head) (volatile); a submitter's
     *                         getAcquire(head) and the producer's getAcquire(submitted) carry the happens-before on to
     *                         the producer's reuse of the slot
     *   waiter check after    complete: publication, Fence.light, read of the reapers' waiter word (wakeReapers);
     *   publish               waiter: link itself, Fence.heavy, re-read the tail (WaitQueue). Both halves are full
     *                         fences, or, where the JDK allows it (Fence, Membarrier), a compiler barrier for the
     *                         producer and a full fence plus membarrier() for the waiter, which parks rarely. The same
     *                         pair guards submitters, with full fences: a reaper's head CAS, then the submitters'
     *                         waiter word; and close(): getAndBitwiseOr(submitted), then both waiter words.
     *
     * Fast paths. complete with nobody waiting: two plain slot stores, one release store, the light fence, one load of
     * the waiter word. getEvents with events ready: acquire loads of head and tail, the copy, one CAS on head for the
     * whole run (on failure the copy is discarded: another reaper took those events, and the producer may already be
     * rewriting the slots), then one load of the submitters' waiter word. trySubmit: one CAS on submitted against a
     * cached head.
     *
     * Waiting: a reaper needs min(minNr - taken, capacity) ready events (capped: a full ring always satisfies it, so
     * a large minNr cannot deadlock; it keeps what it took and waits for the rest); a submitter needs one free slot.
     * WaitQueue spins, then yields, as the WaitPolicy allows, then parks; the side that adds to the supply wakes only
     * the parked waiters the supply satisfies, and none while a waiter of the queue is still spinning or yielding (that
     * one sees the supply first, and passes on what it does not take). A waiter that was chosen and leaves without
     * using the wake-up (interrupt, timeout, close) passes it on by scanning again.
     *
     * Close: one atomic OR of CLOSED_BIT into submitted, so every reservation is linearized before or after it. After
     * it, a reaper needs at most what can still arrive: its wait ends when its need is met or when nothing is in
     * flight (tail == submitted); it returns -1 when, in addition, nothing is ready and it took nothing.
     */

    /** The largest capacity: 2^30 slots (two longs each, 16 GiB). */
    public static final int MAX_CAPACITY = 1 << 30;

    /** The default capacity of {@link #builder()}. */
    public static final int DEFAULT_CAPACITY = 1024;

    /** Bit 63 of submitted: the ring is closed. */
    static final long CLOSED_BIT = Long.MIN_VALUE;

    /*
     * The hot words, in one padded array (PaddedLongs), each at the head of two cache lines of its own: head (written
     * by reapers), tail (by the producer, or the readers of a multi-producer ring) and submitted (by submitters) must
     * not share a line, or each write would invalidate the line the other sides read on every operation. A cache sits
     * on the line its only writers already write. The waiter words of the two queues (written by waiters as they come
     * and go, read on every publication and every reap) have lines of their own, here so that the fast paths read
     * them from the array they already hold.
     */
    static final int HEAD = PAD;
    static final int TAIL = 2 * PAD;
    /** SingleProducerRing: the last value of submitted the producer read; written only by the producer, plain. */
    static final int CACHED_SUBMITTED = TAIL + 1;
    static final int SUBMITTED = 3 * PAD;
    /** A value head had, written by submitters: head only grows, so a stale copy is merely conservative. */
    static final int CACHED_HEAD = SUBMITTED + 1;
    /** The waiter words of the reapers' and the submitters' WaitQueue: how many are linked. */
    static final int REAPERS_WAITING = 4 * PAD;
    static final int SUBMITTERS_WAITING = 5 * PAD;
    /** MultiProducerRing: positions claimed by producers (CAS); claimed - tail are being written. */
    static final int CLAIMED = 6 * PAD;
    private static final int COUNTERS_LENGTH = CLAIMED + 1 - PAD;

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(CompletionRing.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int capacity;
    final int mask;
    /** head, tail, submitted, their caches, the waiter words and claimed, at the indices above. */
    final long[] counters = PaddedLongs.newArray(COUNTERS_LENGTH);
    /** Event seq's userData and result, at PAD + (seq & mask); plain accesses, ordered by the counters'. */
    final long[] userData;
    final long[] results;
    /** Reapers wait for events, submitters for free slots. */
    final WaitQueue reapers;
    private final WaitQueue submitters;
    /** The reapers' batching pause: how long a getEvents that may take many waits before its first look. */
    private final BatchPause batchPause = new BatchPause();
    /** Reads the counters for the snapshot methods. */
    private final Snapshot.Counters snapshotReader = this::snapshotRead;
    /**
     * Set by close() after CLOSED_BIT, and never cleared. Reapers test it rather than submitted, whose line the
     * submitters write on every reservation; once they see it, submitted no longer changes.
     */
    private boolean closed;

    CompletionRing(int capacity, int spins, long yieldNanos) {
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.userData = PaddedLongs.newArray(capacity);
        this.results = PaddedLongs.newArray(capacity);
        final int processors = Runtime.getRuntime().availableProcessors();
        // Producers, single or many, may publish with Fence.light; a reaper's head CAS is a full fence.
        this.reapers = new WaitQueue(this::readyForReapers, new WaitPolicy(spins, yieldNanos, processors), this,
                counters, REAPERS_WAITING, true);
        this.submitters = new WaitQueue(this::freeForSubmitters, new WaitPolicy(spins, yieldNanos, processors), this,
                counters, SUBMITTERS_WAITING, false);
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
         * events, a CAS per run they take. In a multi-producer ring the reservation check counts claimed events:
         * {@code complete} throws once every submitted request has been claimed by a producer, even if some are still
         * being written; and a producer descheduled between its claim and its publication holds back every later
         * event until it runs again (one that dies there holds them back for good).
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
            // Through factories typed CompletionRing: the verifier of this method then loads neither subclass, so a
            // program that builds one kind of ring loads one, and the JIT sees a single implementation of each hot
            // method (class hierarchy analysis), whose calls it binds without a type check.
            return multiProducer
                    ? MultiProducerRing.create(rounded, spinBudget, yieldNanos)
                    : SingleProducerRing.create(rounded, spinBudget, yieldNanos);
        }
    }

    /**
     * Returns the capacity: a power of two, the requested capacity rounded up.
     *
     * @return the most requests that may be submitted and not yet reaped
     */
    public final int capacity() {
        return capacity;
    }

    /**
     * Returns whether this ring was built with {@link Builder#multiProducer(boolean) multiProducer(true)}: whether
     * {@link #complete} and {@link #completeAll} may be called concurrently.
     *
     * @return true if producers may call concurrently
     */
    public abstract boolean isMultiProducer();

    // ---------------------------------------------------------------------------------------------------------------
    // Submission side: any thread.

    /**
     * Reserves the completion slot of one request, if one is free.
     *
     * @return true if a slot was reserved, false if {@code capacity()} requests are submitted and not yet reaped
     * @throws RingClosedException if the ring is closed
     */
    public final boolean trySubmit() {
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
    public final boolean trySubmit(int n) {
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
    public final void submit() throws InterruptedException {
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
    public final boolean submit(long timeout, TimeUnit unit) throws InterruptedException {
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
            final long s = getVolatile(counters, SUBMITTED);    // the value the CAS below expects
            if (s < 0) {
                throw new RingClosedException("ring is closed");
            }
            if (s + n > getAcquire(counters, CACHED_HEAD) + capacity) {
                // Acquire: the reads of the reaper that freed these slots happen-before our CAS, and so before the
                // producer's getAcquire(submitted) and its rewrite of the slots (read before head, carried on).
                final long h = getAcquire(counters, HEAD);
                if (s + n > h + capacity) {
                    return false;
                }
                setRelease(counters, CACHED_HEAD, h);       // release: passes that happens-before on to its readers
            }
            if (compareAndSet(counters, SUBMITTED, s, s + n)) { // fails on close (CLOSED_BIT) and on races
                return true;
            }
        }
    }

    private boolean awaitSlot(boolean timed, long deadline) throws InterruptedException {
        final Object event = WaitEvents.beginSubmitterWait(); // a JFR event if a recording wants one, else null
        int outcome = WaitEvents.OUTCOME_CLOSE;            // unless an exit below sets another: reserve(1) threw
        boolean chosen = false;
        try {
            for (;;) {
                final int status = submitters.await(1, 1, timed, deadline);
                chosen |= (status & WaitQueue.CHOSEN) != 0;
                if ((status & WaitQueue.INTERRUPTED) != 0) {
                    outcome = WaitEvents.OUTCOME_INTERRUPT;
                    throw new InterruptedException();
                }
                if (reserve(1)) {
                    outcome = WaitEvents.OUTCOME_MET;
                    return true;
                }
                if ((status & WaitQueue.TIMED_OUT) != 0) {
                    outcome = WaitEvents.OUTCOME_TIMEOUT;
                    submitters.countTimeout();
                    return false;
                }
            }
        } finally {
            if (chosen) {
                submitters.signalWaiters();                 // pass on a wake-up we may not have used
            }
            WaitEvents.endSubmitterWait(event, 1, outcome == WaitEvents.OUTCOME_MET ? 1 : 0, capacity, outcome);
        }
    }

    /** The slots free for submitters, or Long.MAX_VALUE once closed (every submitter must wake and throw). */
    private long freeForSubmitters() {
        final long s = getVolatile(counters, SUBMITTED);
        if (s < 0) {
            return Long.MAX_VALUE;
        }
        return getAcquire(counters, HEAD) + capacity - s;
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
    public abstract void complete(long userData, long result);

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
    public final void completeAll(long[] userData, long[] results, int offset, int count) {
        Objects.requireNonNull(userData, "userData");
        Objects.requireNonNull(results, "results");
        if (offset < 0 || count < 0 || offset > userData.length - count || offset > results.length - count) {
            throw new IllegalArgumentException("offset " + offset + " and count " + count
                    + " must lie within userData (length " + userData.length + ") and results (length "
                    + results.length + ")");
        }
        if (count > 0) {
            completeRange(userData, results, offset, count);
        }
    }

    /** {@link #completeAll} once its arguments are checked and count is at least 1. */
    abstract void completeRange(long[] userData, long[] results, int offset, int count);

    /** Writes event seq's slot; plain stores, which the caller publishes. */
    final void writeSlot(long seq, long userData, long result) {
        final int i = PAD + ((int) seq & mask);
        this.userData[i] = userData;
        this.results[i] = result;
    }

    /** Writes events [from, from + count) into their slots; plain stores, which the caller publishes. */
    final void writeSlots(long from, long[] userData, long[] results, int offset, int count) {
        final long[] slotUserData = this.userData;
        final long[] slotResults = this.results;
        for (int k = 0; k < count; k++) {
            final int i = PAD + ((int) (from + k) & mask);
            slotUserData[i] = userData[offset + k];
            slotResults[i] = results[offset + k];
        }
    }

    /**
     * Submitted without the closed bit, with acquire: a submitter's reservation (and the reaper reads it was made
     * after) happen-before the producer's rewrite of the slot it reserved.
     */
    final long submittedAcquire() {
        return getAcquire(counters, SUBMITTED) & ~CLOSED_BIT;
    }

    /**
     * The producer's half of "waiter check after publish", right after its publication (the tail store, or a
     * multi-producer ring's marks): Fence.light, then the reapers' waiter word, and the wake-up of the waiters the
     * supply serves. Without the fence the waiter word could be read before the publication is visible, while a
     * reaper that links itself meanwhile re-reads the old tail: both miss each other and the reaper sleeps.
     */
    final void wakeReapers() {
        Fence.light();
        if (getVolatile(counters, REAPERS_WAITING) != 0) {
            reapers.signalWaiters();
        }
    }

    /** The exception of a completion beyond the reservations; thrown before anything changed. */
    static IllegalStateException notSubmitted(int n, long completed, long submitted) {
        return new IllegalStateException("complete without a submitted request: completing " + n
                + " would make completed " + completed + " exceed submitted " + submitted);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reaping side: any number of threads.

    /**
     * The tail, read with acquire: the slot writes of every event below it happen-before the caller's next action
     * ("event before tail"). In a multi-producer ring the read first moves the tail over the published positions.
     */
    abstract long publishedTail();

    /** The tail, read with a volatile read, for the snapshot methods. */
    abstract long snapshotTail();

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
    public final int getEvents(int minNr, int nr, CompletionEvent[] events) throws InterruptedException {
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
     * it keeps the events it took and waits for the rest, so a large minNr cannot deadlock a full ring. With {@code
     * minNr > 1} the call may take its events in several runs (see the class comment): they are in completion order,
     * but other reapers may take events between them.
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
    public final int getEvents(int minNr, int nr, CompletionEvent[] events, long timeout, TimeUnit unit)
            throws InterruptedException {
        checkEventArgs(minNr, nr, events);
        Objects.requireNonNull(unit, "unit");
        return reapWithin(minNr, nr, events, unit.toNanos(timeout));
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
    public final int getEvents(int minNr, int nr, CompletionEvent[] events, Duration timeout)
            throws InterruptedException {
        checkEventArgs(minNr, nr, events);
        Objects.requireNonNull(timeout, "timeout");
        return reapWithin(minNr, nr, events, TimeUnit.NANOSECONDS.convert(timeout)); // saturates, never throws
    }

    /**
     * Takes up to {@code nr} ready events into {@code events[0..n)}, in completion order, without waiting: one run
     * (see the class comment). On entry, every {@code null} element of {@code events[0..nr)} is replaced by a new
     * holder, as in {@code getEvents}.
     *
     * @param nr     the most events to take
     * @param events the holders to copy the events into, {@code events[0..n)}
     * @return the number of events taken (possibly 0), or -1 if the ring is closed and nothing is ready or in flight
     * @throws NullPointerException     if events is null
     * @throws IllegalArgumentException if nr &lt; 1 or nr &gt; events.length
     */
    public final int pollEvents(int nr, CompletionEvent[] events) {
        checkEventArgs(0, nr, events);
        return reapReady(nr, events);
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

    /** Takes what is ready, without waiting; 0 if nothing is, -1 if the ring is also closed and drained. */
    private int reapReady(int nr, CompletionEvent[] events) {
        final int n = takeReady(events, 0, nr);
        fillHolders(events, n, nr);
        return n > 0 ? n : closedAndDrained() ? -1 : 0;
    }

    /** getEvents with a timeout of {@code nanos}; a non-positive one does not wait. */
    private int reapWithin(int minNr, int nr, CompletionEvent[] events, long nanos) throws InterruptedException {
        if (nanos <= 0) {
            return reapReady(nr, events);
        }
        return reap(minNr, nr, events, true, System.nanoTime() + nanos);
    }

    /** getEvents: takes what is ready, after the batching pause where it pays, then waits if that is too few. */
    private int reap(int minNr, int nr, CompletionEvent[] events, boolean timed, long deadline)
            throws InterruptedException {
        if (minNr == 0) {
            return reapReady(nr, events);
        }
        final int n;
        if (nr < BatchPause.MIN_NR) {
            n = takeReady(events, 0, nr);
        } else {
            final int paused = batchPause.rounds();
            WaitPolicy.pause(paused);                       // let events accumulate, where that pays: BatchPause
            n = takeReady(events, 0, nr);
            batchPause.taken(paused, n);
        }
        if (n >= minNr) {
            fillHolders(events, n, nr);
            return n;
        }
        return awaitEvents(minNr, nr, events, n, timed, deadline);
    }

    /** True once the ring is closed and every reserved slot has been reaped: nothing is ready, nothing can arrive. */
    private boolean closedAndDrained() {
        return (boolean) CLOSED.getVolatile(this) && getAcquire(counters, HEAD) == submittedCount();
    }

    /** The number of reservations ever made, without the closed bit. */
    private long submittedCount() {
        return getVolatile(counters, SUBMITTED) & ~CLOSED_BIT;
    }

    /** The slow path of getEvents: waits for events until minNr are taken, or the timeout, an interrupt or close. */
    private int awaitEvents(int minNr, int nr, CompletionEvent[] events, int taken, boolean timed, long deadline)
            throws InterruptedException {
        fillHolders(events, taken, nr);                     // before any wait: however it ends, they are filled
        final Object event = WaitEvents.beginReaperWait();  // a JFR event if a recording wants one, else null
        int outcome = WaitEvents.OUTCOME_CLOSE;            // every exit below says how the wait ended
        boolean chosen = false;
        try {
            for (;;) {                                      // here taken < minNr
                final int status = reapers.await(Math.min(minNr - taken, capacity), nr - taken, timed, deadline);
                chosen |= (status & WaitQueue.CHOSEN) != 0;
                if ((status & WaitQueue.INTERRUPTED) != 0) {
                    outcome = WaitEvents.OUTCOME_INTERRUPT;
                    // Like io_getevents, look at the ring once more before giving up: events completed before the
                    // interrupt are returned, not hidden behind the exception (Thread.interrupt happens-before our
                    // seeing it, so their tail is visible to this take).
                    taken += takeReady(events, taken, nr - taken);
                    if (taken == 0) {
                        throw new InterruptedException();
                    }
                    Thread.currentThread().interrupt();     // keep the status for the caller; return what we have
                    return taken;
                }
                taken += takeReady(events, taken, nr - taken);
                if (taken >= minNr) {
                    outcome = WaitEvents.OUTCOME_MET;
                    return taken;
                }
                if ((status & WaitQueue.TIMED_OUT) != 0) {
                    outcome = WaitEvents.OUTCOME_TIMEOUT;
                    reapers.countTimeout();
                    return taken;
                }
                if (closedAndDrained()) {
                    outcome = WaitEvents.OUTCOME_CLOSE;
                    return taken > 0 ? taken : -1;          // nothing ready or in flight: none can arrive
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
        final long h = getAcquire(counters, HEAD);          // head before tail: the difference is >= 0
        final long t = publishedTail();
        if ((boolean) CLOSED.getVolatile(this) && t == submittedCount()) {
            return Long.MAX_VALUE;
        }
        return t - h;
    }

    /**
     * Takes one run: copies up to max ready events into events[from..), moves the head past them with one CAS (the
     * instant the run is taken) and returns how many; 0 if none are ready.
     */
    private int takeReady(CompletionEvent[] events, int from, int max) {
        final long[] counters = this.counters;
        final long[] userData = this.userData;
        final long[] results = this.results;
        final int mask = this.mask;
        for (;;) {
            final long h = getAcquire(counters, HEAD);
            final long t = publishedTail();                 // event before tail: the slots below t are written
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
            // Read before head: the slot reads above complete before the head moves (a CAS is a volatile write), so
            // the producer cannot rewrite a slot we are still reading. If the CAS fails, another reaper took these
            // events and the copy may be torn: discard it and start again.
            if (compareAndSet(counters, HEAD, h, h + n)) {
                // The volatile read of the waiter word follows the CAS: "waiter check after publish" for free slots.
                if (getVolatile(counters, SUBMITTERS_WAITING) != 0) {
                    submitters.signalWaiters();
                }
                return n;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Snapshots and close.

    /** A volatile read of counter i, for the snapshot methods (Snapshot strips the closed bit where it must). */
    private long snapshotRead(int i) {
        return i == TAIL ? snapshotTail() : getVolatile(counters, i);
    }

    /**
     * Returns the number of events completed and not yet reaped: a snapshot, between 0 and {@link #capacity()}.
     * <p>Each snapshot method returns a value the ring held at one instant during the call, whatever the scheduling
     * of the calling thread; only if the counters keep moving through many readings in a row is the last reading
     * clamped into range instead.
     *
     * @return the events ready to be reaped
     */
    public final int ready() {
        return (int) Snapshot.difference(snapshotReader, TAIL, HEAD, 0, capacity);
    }

    /**
     * Returns the number of requests submitted and not yet completed: a snapshot, between 0 and capacity().
     *
     * @return the requests in flight
     */
    public final int inFlight() {
        return (int) Snapshot.difference(snapshotReader, SUBMITTED, TAIL, 0, capacity);
    }

    /**
     * Returns the number of slots free for {@code trySubmit}: a snapshot, between 0 and capacity(); 0 once the ring
     * is closed.
     *
     * @return the slots free for submission
     */
    public final int remainingCapacity() {
        return (int) Snapshot.free(snapshotReader, HEAD, SUBMITTED, capacity);
    }

    /**
     * Returns true once {@link #close()} has been called.
     *
     * @return whether the ring is closed
     */
    public final boolean isClosed() {
        return getVolatile(counters, SUBMITTED) < 0;
    }

    /**
     * Closes the ring; idempotent, never blocks. Afterwards {@code trySubmit} and {@code submit} throw {@link
     * RingClosedException} (submitters parked in {@code submit} wake and throw it); {@code complete} still works for
     * the requests submitted before; reapers parked in {@code getEvents} wake and re-evaluate: each needs at most the
     * events that can still arrive (ready + in flight), and {@code getEvents} returns -1 once nothing is ready or in
     * flight. Close is a shutdown, not a wait: to wait until every event has been reaped, join the reapers (each
     * returns -1 once the ring is drained).
     */
    @Override
    public final void close() {
        // A volatile read-modify-write: every reservation CAS is ordered before or after it, and the waiter-word reads
        // below cannot move above it ("waiter check after publish" with a waiter's publish-fence-recheck).
        final long s = getAndBitwiseOr(counters, SUBMITTED, CLOSED_BIT);
        if (s < 0) {
            return;
        }
        CLOSED.setVolatile(this, true);                     // for reapers, who do not read submitted's line
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
    public final RingStats stats() {
        return Snapshot.stats(snapshotReader, HEAD, TAIL, SUBMITTED, capacity,
                reapers.parks() + submitters.parks(),
                reapers.unparks() + submitters.unparks(),
                reapers.timeouts() + submitters.timeouts(),
                reapers.waiting() + submitters.waiting());
    }

    @Override
    public final String toString() {
        final RingStats s = stats();
        return "CompletionRing[capacity=" + capacity + ", submitted=" + s.submitted() + ", completed="
                + s.completed() + ", reaped=" + s.reaped() + ", closed=" + isClosed() + "]";
    }
}
