package io.completionring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a recorded concurrent history of ring operations is linearizable against the ring's written
 * contract, where a take of up to {@code nr} events may return any {@code 1 <= k <= min(nr, ready)} of them (the
 * first k ready, in order), and 0 only when none is ready. Lincheck's sequential specifications are deterministic and
 * so cannot say "any k"; this is the check for takes with {@code nr > 1} ({@link RunsLinearizabilityTest}).
 *
 * <p>A history is a sequential prefix (the init part), one list of operations per parallel thread, and a sequential
 * suffix (the post part). Each parallel operation carries a clock: for every other thread, how many of its operations
 * had returned when this one was invoked; an operation must be linearized after those. The search tries every order
 * of the parallel operations that respects program order and the clocks, applying each to a model of the ring, and
 * accepts if one order explains every result. Visited (position, model) pairs are not searched twice.
 */
final class HistoryChecker {

    /** The kinds of operation: pollEvents(nr) and getEvents(0, nr) are both takes that do not wait. */
    enum Kind { SUBMIT, COMPLETE, POLL, GET }

    /**
     * One operation and what it returned. SUBMIT: {@code arg} slots, {@code ok} whether reserved. COMPLETE: {@code
     * arg} events of userData {@code userData, userData + 4, ...}, {@code ok} whether published. TAKE: up to {@code arg}
     * events, {@code taken} the [userData, result] pairs returned. {@code clock[j]}: operations of thread j that had
     * returned when this one was invoked (parallel part only).
     */
    record Op(Kind kind, int arg, long userData, boolean ok, long[] taken, int[] clock) {
        @Override
        public String toString() {
            return switch (kind) {
                case SUBMIT -> "trySubmit(" + arg + "): " + ok;
                case COMPLETE -> "complete" + arg + "(" + userData + "): " + ok;
                case POLL -> "pollEvents(" + arg + "): " + Arrays.toString(taken);
                case GET -> "getEvents(0, " + arg + "): " + Arrays.toString(taken);
            };
        }
    }

    /** The result the producer completes userData with. */
    static long resultOf(long userData) {
        return 10 * userData + 1;
    }

    private final int capacity;
    private final List<Op> init;
    private final List<List<Op>> threads;
    private final List<Op> post;
    private final Set<String> visited = new HashSet<>();

    HistoryChecker(int capacity, List<Op> init, List<List<Op>> threads, List<Op> post) {
        this.capacity = capacity;
        this.init = init;
        this.threads = threads;
        this.post = post;
    }

    /** True if some order of the operations explains every result. */
    boolean linearizable() {
        Model m = new Model();
        for (Op op : init) {
            m = m.apply(op, capacity);
            if (m == null) {
                return false;
            }
        }
        return search(new int[threads.size()], m);
    }

    private boolean search(int[] at, Model m) {
        if (!visited.add(Arrays.toString(at) + m)) {
            return false;
        }
        boolean done = true;
        for (int t = 0; t < threads.size(); t++) {
            final List<Op> ops = threads.get(t);
            if (at[t] == ops.size()) {
                continue;
            }
            done = false;
            final Op op = ops.get(at[t]);
            if (!after(op, t, at)) {
                continue;
            }
            final Model next = m.apply(op, capacity);
            if (next != null) {
                at[t]++;
                final boolean found = search(at, next);
                at[t]--;
                if (found) {
                    return true;
                }
            }
        }
        return done && postExplained(m);
    }

    /** Whether every operation that returned before op was invoked has been placed. */
    private static boolean after(Op op, int thread, int[] at) {
        for (int j = 0; j < at.length; j++) {
            if (j != thread && at[j] < op.clock()[j]) {
                return false;
            }
        }
        return true;
    }

    private boolean postExplained(Model m) {
        for (Op op : post) {
            m = m.apply(op, capacity);
            if (m == null) {
                return false;
            }
        }
        return true;
    }

    /** The history, for a failure message. */
    @Override
    public String toString() {
        final StringBuilder s = new StringBuilder("init: ").append(init);
        for (int t = 0; t < threads.size(); t++) {
            s.append("\nthread ").append(t).append(": ").append(threads.get(t));
        }
        return s.append("\npost: ").append(post).toString();
    }

    /** The ring as a sequential model: its counters and the userData of the ready events, oldest first. */
    private record Model(long submitted, long completed, long reaped, List<Long> ready) {
        Model() {
            this(0, 0, 0, List.of());
        }

        /** The model after op, or null if op's result is not one the contract allows in this state. */
        Model apply(Op op, int capacity) {
            switch (op.kind()) {
                case SUBMIT -> {
                    final boolean fits = submitted - reaped + op.arg() <= capacity;
                    if (op.ok() != fits) {
                        return null;
                    }
                    return fits ? new Model(submitted + op.arg(), completed, reaped, ready) : this;
                }
                case COMPLETE -> {
                    final boolean reserved = completed + op.arg() <= submitted;
                    if (op.ok() != reserved) {
                        return null;
                    }
                    if (!reserved) {
                        return this;
                    }
                    final List<Long> more = new ArrayList<>(ready);
                    for (int k = 0; k < op.arg(); k++) {
                        more.add(op.userData() + 4L * k);
                    }
                    return new Model(submitted, completed + op.arg(), reaped, List.copyOf(more));
                }
                default -> {
                    final long[] pairs = op.taken();
                    final int k = pairs.length / 2;
                    if (k == 0) {
                        return ready.isEmpty() ? this : null; // 0 only when nothing is ready
                    }
                    if (k > Math.min(op.arg(), ready.size())) {
                        return null;
                    }
                    for (int i = 0; i < k; i++) {               // the first k ready, in order, never torn
                        if (pairs[2 * i] != ready.get(i) || pairs[2 * i + 1] != resultOf(ready.get(i))) {
                            return null;
                        }
                    }
                    return new Model(submitted, completed, reaped + k, ready.subList(k, ready.size()));
                }
            }
        }
    }
}
