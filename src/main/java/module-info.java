/**
 * An async-completion ring for the JVM, modelled on Linux AIO's completion ring ({@code io_submit} /
 * {@code io_getevents}). See {@link io.completionring.CompletionRing}.
 */
module io.completionring {
    exports io.completionring;
}
