package org.workbench.config;

import java.nio.file.Path;

/**
 * A user's mistake in an input (file, key, value): reported as one line naming the place and what was
 * expected, with exit code 2, never as a stack trace.
 */
public class InputError extends RuntimeException {

    public InputError(String message) {
        super(message);
    }

    public InputError(String message, Throwable cause) {
        super(message, cause);
    }

    /** "file:line: field: message" (line omitted when unknown, i.e. &lt;= 0). */
    public static InputError at(Path file, int line, String field, String message) {
        StringBuilder sb = new StringBuilder();
        if (file != null) sb.append(file);
        if (line > 0) sb.append(':').append(line);
        if (field != null && !field.isEmpty()) sb.append(sb.length() > 0 ? ": " : "").append(field);
        sb.append(sb.length() > 0 ? ": " : "").append(message);
        return new InputError(sb.toString());
    }

    public static InputError at(Path file, String message) {
        return at(file, 0, null, message);
    }
}
