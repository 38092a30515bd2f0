package io.completionring.bench;

import java.util.Locale;

/**
 * A plain-text table that prints each row as it comes: fixed column widths, the first column left-aligned and the
 * others right-aligned (a longer cell widens its row rather than being cut). For the demos' result lines.
 */
final class Table {

    private final int[] widths;

    Table(int... widths) {
        this.widths = widths.clone();
    }

    /** Formats with {@link Locale#ROOT}, so that the output reads the same everywhere. */
    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** Prints one row: one cell per column. */
    void row(Object... cells) {
        if (cells.length != widths.length) {
            throw new IllegalArgumentException(cells.length + " cells for " + widths.length + " columns");
        }
        final StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            final String cell = String.valueOf(cells[i]);
            final String pad = " ".repeat(Math.max(0, widths[i] - cell.length()));
            line.append(i == 0 ? cell + pad : " " + pad + cell);
        }
        System.out.println(line.toString().stripTrailing());
    }
}
