package dev.readmit.profiles.format;

/** The two kinds of profile in one format: a recorded event stream, or a model of populations. */
public enum ProfileKind {
    /** Header line followed by timestamped events, sorted by time. */
    RECORDED,
    /** Header only; its {@code model} describes who arrives when and what they do. */
    MODELLED
}
