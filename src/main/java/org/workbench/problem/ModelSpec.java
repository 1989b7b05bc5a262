package org.workbench.problem;

import java.nio.file.Path;

/**
 * One network a problem runs on. {@code name} keys its result lines, summary rows and figures when the problem lists
 * {@code models:} (the file's base name, so the three shipped CNNs read cnn, cnn-pgd, cnn-ibp); it is null for a
 * problem's single {@code model:}, whose lines carry no model, as they did before problems could name several, so
 * earlier results folders still resume.
 */
public record ModelSpec(String name, Path file) {}
