package dev.readmit.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One benchmark's section of {@code benchmarks/RESULTS.md}: the text between {@code <!-- NAME:start -->}
 * and {@code <!-- NAME:end -->}. Other benchmarks keep their own sections in the same file; only this
 * one's text is replaced, everything outside the markers is kept byte for byte. Stateless; thread
 * safe (but two processes writing one file at once would race, as with any file).
 */
final class ResultsSection {

    private ResultsSection() {}

    /**
     * {@code document} with the section {@code name} replaced by {@code body}, or with the section
     * appended (after a blank line) when it has none.
     *
     * @throws IllegalArgumentException when the document has a start marker without an end marker after it
     */
    static String replace(String document, String name, String body) {
        String start = "<!-- " + name + ":start -->";
        String end = "<!-- " + name + ":end -->";
        String block = start + "\n" + body.strip() + "\n" + end;
        int s = document.indexOf(start);
        if (s < 0) {
            String sep =
                    document.isEmpty() ? "" : document.endsWith("\n\n") ? "" : document.endsWith("\n") ? "\n" : "\n\n";
            return document + sep + block + "\n";
        }
        int e = document.indexOf(end, s);
        if (e < 0) {
            throw new IllegalArgumentException("'" + start + "' has no '" + end + "' after it");
        }
        return document.substring(0, s) + block + document.substring(e + end.length());
    }

    /** Replaces (or appends) the section in {@code file}, creating the file with a title when missing. */
    static void write(Path file, String name, String body) throws IOException {
        String document = Files.exists(file)
                ? Files.readString(file, StandardCharsets.UTF_8)
                : "# readmit benchmark results\n\nEach section is written by the benchmark named in it.\n";
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, replace(document, name, body), StandardCharsets.UTF_8);
    }
}
