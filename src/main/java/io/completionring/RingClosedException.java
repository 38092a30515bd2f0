package io.completionring;

/**
 * Thrown by {@link CompletionRing#trySubmit()} and {@link CompletionRing#submit()} (and their variants) once the ring
 * has been {@linkplain CompletionRing#close() closed}; a submitter parked in {@code submit} when the ring closes wakes
 * and throws it. Nothing was reserved when it is thrown.
 */
public class RingClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with the given detail message.
     *
     * @param message the detail message
     */
    public RingClosedException(String message) {
        super(message);
    }
}
