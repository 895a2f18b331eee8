package dev.readmit.profiles.format;

import java.util.List;
import java.util.stream.Collectors;

/** A profile was rejected; {@link #problems()} lists every problem found, each with its line and field. */
public final class ProfileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<ProfileProblem> problems;

    public ProfileException(List<ProfileProblem> problems) {
        super(problems.stream().map(ProfileProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in file order. */
    public List<ProfileProblem> problems() {
        return problems;
    }
}
