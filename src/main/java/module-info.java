/**
 * An async-completion ring for the JVM, modelled on Linux AIO's completion ring ({@code io_submit} /
 * {@code io_getevents}). See {@link io.completionring.CompletionRing}.
 */
module io.completionring {
    exports io.completionring;
    // Optional at run time: the JFR events of long waits (WaitEvents) are recorded where jdk.jfr is in the runtime,
    // and the library runs without it (a jlinked runtime of java.base alone). docs/design.md, "Observability".
    requires static jdk.jfr;
}
