package io.completionring;

/**
 * A reusable, mutable holder for one completion, like Linux AIO's {@code struct io_event}: the {@code userData} that
 * identifies the request and the {@code result} it completed with.
 *
 * <p>{@link CompletionRing#getEvents(int, int, CompletionEvent[]) getEvents} copies events into holders that the caller
 * owns and reuses from call to call, so reaping allocates nothing. A holder is not thread-safe; it belongs to the
 * thread that passes it to {@code getEvents}.
 */
public final class CompletionEvent {

    private long userData;
    private long result;

    /** Creates an empty holder (userData and result are 0). */
    public CompletionEvent() {
    }

    /**
     * Returns {@code n} fresh holders, ready to pass to {@code getEvents}.
     *
     * @param n the number of holders
     * @return a new array of {@code n} new holders
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public static CompletionEvent[] newArray(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        CompletionEvent[] events = new CompletionEvent[n];
        for (int i = 0; i < n; i++) {
            events[i] = new CompletionEvent();
        }
        return events;
    }

    /**
     * Returns the userData of the request, as passed to {@code complete}.
     *
     * @return the userData
     */
    public long userData() {
        return userData;
    }

    /**
     * Returns the result of the request, as passed to {@code complete}.
     *
     * @return the result
     */
    public long result() {
        return result;
    }

    void set(long userData, long result) {
        this.userData = userData;
        this.result = result;
    }

    @Override
    public String toString() {
        return "CompletionEvent[userData=" + userData + ", result=" + result + "]";
    }
}
