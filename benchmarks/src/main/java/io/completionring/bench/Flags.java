package io.completionring.bench;

import joptsimple.OptionException;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import joptsimple.ValueConversionException;
import joptsimple.ValueConverter;
import joptsimple.util.PathConverter;
import joptsimple.util.PathProperties;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The command line of a demo, on jopt-simple: flags declared with their ranges and defaults, a generated
 * {@code --help} (exit status 0), and every bad flag reported with its name and value (exit status 2). Flags are
 * spelled out ({@code --reapers 4} or {@code --reapers=4}); numbers may group digits with {@code _}.
 */
final class Flags {

    private final String program;
    private final String description;
    private final OptionParser parser = new OptionParser(false);   // no abbreviations
    private final OptionSpec<Void> help;

    /** @param program the main class's simple name; @param description what it does, for {@code --help} */
    Flags(String program, String description) {
        this.program = program;
        this.description = description;
        this.help = parser.acceptsAll(List.of("h", "help"), "print this help").forHelp();
    }

    /** A whole-number flag in {@code [min, max]} with a default. */
    OptionSpec<Long> number(String name, String description, long min, long max, long byDefault) {
        return parser.accepts(name, description).withRequiredArg().withValuesConvertedBy(new Range(min, max))
                .defaultsTo(byDefault);
    }

    /** A whole-number flag in {@code [min, max]} whose absence the program handles (its description says how). */
    OptionSpec<Long> number(String name, String description, long min, long max) {
        return parser.accepts(name, description).withRequiredArg().withValuesConvertedBy(new Range(min, max));
    }

    /** A flag naming a readable regular file. */
    OptionSpec<Path> readableFile(String name, String description) {
        return parser.accepts(name, description).withRequiredArg()
                .withValuesConvertedBy(new PathConverter(PathProperties.FILE_EXISTING, PathProperties.READABLE));
    }

    /** A flag without a value. */
    OptionSpec<Void> flag(String name, String description) {
        return parser.accepts(name, description);
    }

    /** Parses the command line; prints the help and exits on {@code --help}, reports and exits on a bad flag. */
    OptionSet parse(String... args) {
        final OptionSet set;
        try {
            set = parser.parse(args);
            for (OptionSpec<?> spec : parser.recognizedOptions().values()) {
                set.valueOf(spec);                          // converts now: a bad or repeated value is reported here
            }
        } catch (OptionException e) {
            throw fail(e.getCause() instanceof ValueConversionException
                    ? "--" + e.options().get(0) + ": " + e.getCause().getMessage() : e.getMessage());
        }
        if (set.has(help)) {
            System.out.println("usage: java -cp benchmarks/target/benchmarks.jar " + Flags.class.getPackageName()
                    + "." + program + " [flags]\n" + description + "\n");
            try {
                parser.printHelpOn(System.out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            System.exit(0);
        }
        if (!set.nonOptionArguments().isEmpty()) {
            throw fail("unexpected argument '" + set.nonOptionArguments().get(0) + "'");
        }
        return set;
    }

    /** Reports a bad command line and exits with status 2; declared to return, so that callers can {@code throw} it. */
    IllegalArgumentException fail(String message) {
        System.err.println(program + ": " + message + " (--help lists the flags)");
        System.exit(2);
        return new IllegalArgumentException(message);
    }

    /** Whole numbers in {@code [min, max]}, shown in the help as {@code <min-max>}. */
    private record Range(long min, long max) implements ValueConverter<Long> {
        @Override
        public Long convert(String value) {
            final long n;
            try {
                n = Long.parseLong(value.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new ValueConversionException("must be a number, was '" + value + "'");
            }
            if (n < min || n > max) {
                throw new ValueConversionException("must be between " + min + " and " + max + ", was " + value);
            }
            return n;
        }

        @Override
        public Class<Long> valueType() {
            return Long.class;
        }

        /** jopt-simple's help shows only what follows the last dot of a pattern, so not "min..max". */
        @Override
        public String valuePattern() {
            return min + "-" + max;
        }
    }
}
