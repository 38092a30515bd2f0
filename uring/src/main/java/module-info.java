/**
 * An io_uring file reader whose completions land in a completion-ring ({@link io.completionring.uring.UringReader}):
 * Linux, JDK 22 or newer, the FFM API, no native library. Run with
 * {@code --enable-native-access=io.completionring.uring} (or {@code ALL-UNNAMED} on the class path).
 */
module io.completionring.uring {
    requires transitive io.completionring;
    exports io.completionring.uring;
}
